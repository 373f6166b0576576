package io.streamforecaster.api;

import io.streamforecaster.model.ModelSnapshot;
import io.streamforecaster.state.SeriesState;
import io.streamforecaster.state.Source;
import io.streamforecaster.stream.RetrainPolicy;
import jakarta.inject.Inject;
import jakarta.ws.rs.Encoded;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.function.BiFunction;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Per-series answers for any key from any instance: the instance that has the key answers from
 * its stores; any other asks the instances that may have it ({@link SeriesQueries}), each once,
 * with the key encoded byte for byte.
 */
@Path("/series/{key}")
@Produces(MediaType.APPLICATION_JSON)
public class SeriesResource {

    /** Marks a request one instance forwarded to another: answered from the receiver's own stores only. */
    static final String FORWARDED = "X-Forecaster-Forwarded";
    /** On a 404: the key lives on the answering instance, which has no such answer for it (no model yet). */
    static final String FOUND = "X-Forecaster-Key-Found";
    /** On a forwarded query's 404: the input partitions the answering instance could search (comma-separated). */
    static final String SEARCHED = "X-Forecaster-Searched-Partitions";

    @Inject
    SeriesQueries queries;

    @Inject
    Peers peers;

    @Inject
    io.streamforecaster.config.ForecasterConfig config;

    /** What one of the two answers reads from a key's state and model. */
    private interface Reader {
        Object read(String key, SeriesState state, ModelSnapshot model);
    }

    @GET
    @Path("/forecast")
    public Response forecast(@Encoded @PathParam("key") String rawKey, @HeaderParam(FORWARDED) String forwarded, @Context HttpHeaders headers) {
        return answer(rawKey, "forecast", forwarded, headers, (key, state, model) -> queries.forecast(key, state));
    }

    @GET
    @Path("/model")
    public Response model(@Encoded @PathParam("key") String rawKey, @HeaderParam(FORWARDED) String forwarded, @Context HttpHeaders headers) {
        return answer(rawKey, "model", forwarded, headers, (key, state, model) -> model == null ? null : info(key, state, model, queries));
    }

    @GET
    @Path("/history")
    public Response history(@Encoded @PathParam("key") String rawKey, @jakarta.ws.rs.QueryParam("points") String points,
                            @HeaderParam(FORWARDED) String forwarded, @Context HttpHeaders headers) {
        int n;
        try {
            n = points == null ? Math.max(1, config.history().servedPoints()) : Integer.parseInt(points); // all the key keeps
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 1 || n > 10_000) {
            return error(Response.Status.BAD_REQUEST, "points must be a whole number from 1 to 10000");
        }
        int count = n;
        return answer(rawKey, "history?points=" + n, forwarded, headers, (key, state, model) -> state == null ? null
                : SeriesHistory.of(key, state, count, queries.forecast(key, state)));
    }

    /** The key's recent anomalies (its last few, oldest first), and the score of its latest observation. */
    @GET
    @Path("/anomalies")
    public Response anomalies(@Encoded @PathParam("key") String rawKey, @HeaderParam(FORWARDED) String forwarded, @Context HttpHeaders headers) {
        return answer(rawKey, "anomalies", forwarded, headers, (key, state, model) -> state == null ? null : SeriesAnomalies.of(key, state));
    }

    private Response answer(String rawKey, String what, String forwarded, HttpHeaders headers, Reader reader) {
        PathKey.Decoded decoded = PathKey.decode(rawKey, config.input().maxKeyBytes());
        if (decoded.error() != null) {
            return error(Response.Status.BAD_REQUEST, decoded.error());
        }
        try {
            return answerFor(decoded.key(), what, forwarded, headers, reader);
        } catch (IllegalStateException | org.apache.kafka.streams.errors.InvalidStateStoreException e) {
            // Kafka Streams stopped while the query ran (its metadata calls throw from PENDING_SHUTDOWN on): 503;
            // while it runs, such a failure is a bug, answered 500 with its id
            String why = queries.unavailability();
            if (why == null) {
                throw e;
            }
            return unavailable(why);
        }
    }

    private Response answerFor(String key, String what, String forwarded, HttpHeaders headers, Reader reader) {
        BiFunction<SeriesState, ModelSnapshot, Object> read = (state, model) -> reader.read(key, state, model);
        Peers.Credentials credentials = Peers.Credentials.of(headers);
        SeriesQueries.Location location = forwarded != null ? queries.locateHere(key) : queries.locate(key);
        if (location instanceof SeriesQueries.Local local) {
            Object body = read.apply(local.state(), local.model());
            return body == null
                    ? Response.status(Response.Status.NOT_FOUND).header(FOUND, "1").entity(new ErrorBody("no " + noun(what) + " for key '" + key + "' yet")).build()
                    : Response.ok(body).build();
        }
        if (location instanceof SeriesQueries.Elsewhere elsewhere) {
            return forwarded != null
                    ? Response.status(Response.Status.NOT_FOUND).header(SEARCHED, PartitionCoverage.format(elsewhere.searchedHere()))
                            .entity(new ErrorBody("key '" + key + "' is not on this instance")).build()
                    : search(elsewhere, key, what, credentials);
        }
        return unavailable(((SeriesQueries.Unavailable) location).why());
    }

    /**
     * Asks each instance that may have the key, the partition's owner first; the first that has it
     * answers. Only when every input partition was searched, here or by a peer, is the key unknown;
     * a partition that no instance could search (it is moving or restoring) may hold it: 503.
     */
    private Response search(SeriesQueries.Elsewhere elsewhere, String key, String what, Peers.Credentials credentials) {
        String problem = null;
        String refused = null;
        PartitionCoverage searched = new PartitionCoverage();
        long deadline = System.nanoTime() + FORWARD_TIMEOUT.toNanos();
        for (HostInfo host : elsewhere.hosts()) {
            Duration left = Duration.ofNanos(deadline - System.nanoTime());
            if (left.toMillis() < 1) { // hung peers must not hold a request thread for seconds each
                problem = "instances did not answer within " + FORWARD_TIMEOUT.toSeconds() + " s";
                break;
            }
            Forwarded r = forward(host, key, what, credentials, left);
            if (r.status() == 404 && !r.found()) {
                searched.add(r.searched());
            }
            if (r.status() == 200) {
                return Response.ok(r.body(), MediaType.APPLICATION_JSON).build();
            }
            if (r.status() == 404 && r.found()) { // the key is there, without such an answer yet
                return Response.status(r.status()).type(MediaType.APPLICATION_JSON).header(FOUND, "1").entity(r.body()).build();
            }
            if (r.status() == 401 || r.status() == 403) {
                // the peer checks the same credentials: its refusal is the answer, with its challenge
                Response.ResponseBuilder refusal = Response.status(r.status()).type(MediaType.APPLICATION_JSON).entity(r.body());
                return (r.challenge() == null ? refusal : refusal.header("WWW-Authenticate", r.challenge())).build();
            }
            if (r.refused() != null) {
                refused = "instance " + Peers.address(host) + " may hold the key, but " + r.refused() + " (" + PeerHosts.SETTING + ")";
            } else if (r.status() != 404) {
                problem = "instance " + Peers.address(host) + " did not answer (" + r.status() + ")";
            }
        }
        searched.addAll(elsewhere.searchedHere()); // what was read here, not what is readable now: a partition may have finished restoring since
        if (refused != null && !searched.missing(queries.assignedPartitions()).isEmpty()) {
            // a partition nobody else searched: the refused member may hold the key, and asking again changes
            // nothing while it does (no Retry-After); with every partition searched without it, the usual answer
            return error(Response.Status.BAD_GATEWAY, refused);
        }
        if (problem != null || elsewhere.moving()) {
            return unavailable(problem != null ? problem : "the key's partition is moving between instances");
        }
        Set<Integer> unsearched = searched.missing(queries.assignedPartitions());
        if (!unsearched.isEmpty()) {
            return unavailable("input partition(s) " + PartitionCoverage.format(unsearched)
                    + " are moving between instances or restoring, and may hold the key");
        }
        return error(Response.Status.NOT_FOUND, "no " + noun(what) + " for key '" + key + "': unknown key");
    }

    private static String noun(String what) {
        int q = what.indexOf('?');
        return q < 0 ? what : what.substring(0, q);
    }

    /** How long one query may wait for the other instances, all of them together. */
    static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(5);

    /**
     * @param challenge a 401's {@code WWW-Authenticate}, null otherwise
     * @param refused why the instance was not asked ({@code forecaster.api.peer-hosts}), null when it was
     */
    private record Forwarded(int status, byte[] body, boolean found, String searched, String challenge, String refused) {
    }

    private Forwarded forward(HostInfo host, String key, String what, Peers.Credentials credentials, Duration timeout) {
        try {
            URI uri = peers.uri(host, "/series/" + pathSegment(key) + "/" + what);
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).header(FORWARDED, "1");
            credentials.addTo(request);
            HttpResponse<byte[]> r = Peers.await(peers.client().sendAsync(request.GET().build(), HttpResponse.BodyHandlers.ofByteArray()), timeout);
            return new Forwarded(r.statusCode(), r.body(), r.headers().firstValue(FOUND).isPresent(),
                    r.headers().firstValue(SEARCHED).orElse(null), r.headers().firstValue("WWW-Authenticate").orElse(null), null);
        } catch (PeerHosts.Refused e) {
            return new Forwarded(502, null, false, null, null, e.getMessage());
        } catch (IOException | IllegalArgumentException e) {
            return new Forwarded(502, null, false, null, null, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Forwarded(503, null, false, null, null, null);
        }
    }

    /**
     * The key as one path segment, byte for byte: every UTF-8 byte but the unreserved characters
     * percent-encoded. {@link URI}'s own quoting leaves {@code /} alone and normalises to NFC, so a
     * key with a slash or in NFD reached the other instance as another key.
     */
    static String pathSegment(String key) {
        byte[] bytes = key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        StringBuilder s = new StringBuilder(bytes.length * 3);
        for (byte b : bytes) {
            int c = b & 0xFF;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
                s.append((char) c);
            } else {
                s.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16))).append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return s.toString();
    }

    private static ModelInfo info(String key, SeriesState state, ModelSnapshot m, SeriesQueries queries) {
        var accuracy = state == null ? null : state.accuracy();
        var judgement = state == null ? null : state.judgement();
        boolean judged = judgement != null && judgement.version() == m.version();
        var a = m.assessment();
        Source source = state == null ? Source.NONE : state.latest().source();
        return new ModelInfo(key, m.variant().id(), m.version(), Instant.ofEpochMilli(m.trainedAt()).toString(),
                m.trainingLoss(), state == null ? m.observations() : state.history().observations(), m.observations(),
                m.nSteps(), m.units(), m.parameterCount(),
                accuracy == null ? null : orNull(accuracy.onlineMae()), accuracy == null ? null : orNull(accuracy.naiveMae()),
                accuracy == null ? 0 : accuracy.scored(),
                judged ? orNull(judgement.modelMae()) : null, judged ? orNull(judgement.naiveMae()) : null,
                source == Source.NONE ? null : source.id(),
                judgement != null && judgement.fallback(), judgement == null ? 0 : judgement.fallbacks(),
                m.version() - 1, a.rejections(),
                new ModelInfo.Holdout(Instant.ofEpochMilli(a.checkedAt()).toString(), a.holdoutPoints(),
                        orNull(a.holdoutMae()), orNull(a.holdoutNaiveMae()), orNull(a.challengerMae())), queries.scope(),
                state == null ? null : schedule(queries.schedule(state, m), state));
    }

    private static ModelInfo.Schedule schedule(RetrainPolicy.Due due, SeriesState state) {
        var drift = state.drift();
        return new ModelInfo.Schedule(due.reason().id(), Instant.ofEpochMilli(due.dueAt()).toString(), due.interval().toString(),
                due.observationsNeeded() < 0 ? null : due.observationsNeeded(), drift.drifting(), drift.detections(), drift.statistic());
    }

    private static Double orNull(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /** 503 with {@code Retry-After}: the answer exists, but not now. */
    static Response unavailable(String why) {
        return Response.status(Response.Status.SERVICE_UNAVAILABLE).header("Retry-After", "2").entity(new ErrorBody(why)).build();
    }

    private static Response error(Response.Status status, String message) {
        return Response.status(status).entity(new ErrorBody(message)).build();
    }

    /** Error answers carry a reason a person can read. */
    public record ErrorBody(String error) {
    }
}
