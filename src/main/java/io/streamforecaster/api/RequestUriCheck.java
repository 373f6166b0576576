package io.streamforecaster.api;

import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;

/**
 * Refuses a request whose URI is malformed with a 400 and a JSON reason, on both ports. Quarkus'
 * own check answers such requests with a bare 400 before any router handler runs; {@link ServiceMain}
 * turns that check off ({@value #QUARKUS_SWITCH}) so that this one answers instead. It applies
 * the same rule (what {@link URI} accepts) to the whole URI except the key segment of
 * {@code /series/{key}/...}: there it refuses only malformed percent-escapes (with
 * {@link PathKey}'s reason; Vert.x' routing cannot normalise such a path), and leaves the rest to
 * {@link PathKey}, which decodes the key byte for byte. A key with characters a URI may not hold
 * unescaped (such as {@code |}) is thereby served as sent.
 */
@ApplicationScoped
public class RequestUriCheck {

    /** The system property with which Quarkus skips its own URI check (read once, at start). */
    static final String QUARKUS_SWITCH = "vertx.disableURIValidation";
    /** Before every other handler of the router, Quarkus' own included. */
    static final int ORDER = Integer.MIN_VALUE + 100;
    private static final String SERIES = "/series/";

    void onMain(@Observes Router router) {
        router.route().order(ORDER).handler(RequestUriCheck::handle);
    }

    void onManagement(@Observes ManagementInterface management) {
        management.router().route().order(ORDER).handler(RequestUriCheck::handle);
    }

    static void handle(RoutingContext rc) {
        String problem = problem(rc.request().uri());
        if (problem == null) {
            rc.next();
            return;
        }
        rc.response().setStatusCode(400).putHeader("Content-Type", "application/json")
                .end(Json.encode(Map.of("error", problem)));
    }

    /** Why this request URI is refused, or null when it is fine. */
    static String problem(String uri) {
        if (uri == null || uri.isEmpty()) {
            return "the request has no URI";
        }
        String checked = uri;
        if (uri.startsWith(SERIES)) {
            int end = SERIES.length();
            while (end < uri.length() && "/?#".indexOf(uri.charAt(end)) < 0) {
                end++;
            }
            String rawKey = uri.substring(SERIES.length(), end);
            String keyProblem = PathKey.escapeProblem(rawKey);
            if (keyProblem != null) {
                return keyProblem; // Vert.x' routing cannot even normalise such a path
            }
            if (rawKey.indexOf(';') >= 0) { // the REST layer would strip ";..." as a path parameter and answer for another key
                return "a ';' in the key must be percent-encoded as %3B (a bare ';' starts a path parameter)";
            }
            checked = SERIES + "k" + uri.substring(end); // the rest of the key segment is PathKey's to judge
        }
        try {
            new URI(checked);
            return null;
        } catch (URISyntaxException e) {
            return "malformed request URI: " + e.getReason().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
