package io.streamforecaster.api;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Answers 401 with a JSON reason before any {@code /series} resource runs when
 * {@code forecaster.api.auth} asks for credentials the request lacks. (The management port's
 * health and metrics are not JAX-RS resources and are not filtered.)
 */
@Provider
@ApplicationScoped
public class ApiAuthFilter implements ContainerRequestFilter {

    private static final Logger LOG = Logger.getLogger(ApiAuthFilter.class);

    @Inject
    ApiSecurityConfig config;

    private volatile ApiAuthenticator authenticator;

    /** Settings are checked as the service starts: a wrong one stops it with a message naming it. */
    void validate(@Observes StartupEvent event) {
        authenticator();
        LOG.infof("Authentication of /series: %s", config.auth());
    }

    ApiAuthenticator authenticator() {
        ApiAuthenticator a = authenticator;
        if (a == null) {
            var key = ConfigProvider.getConfig().getConfigValue("forecaster.api.key");
            if (key.getValue() != null && key.getSourceName() != null && key.getSourceName().startsWith("SysPropConfigSource")) {
                throw new IllegalArgumentException("forecaster.api.key was given on the command line, where any user of the machine can read it: "
                        + "give it in a file (forecaster.api.key-file) or as the environment variable FORECASTER_API_KEY");
            }
            a = ApiAuthenticator.from(config, key.getValue());
            authenticator = a;
        }
        return a;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        ApiAuthenticator a = authenticator();
        if (!a.required()) {
            return;
        }
        ApiAuthenticator.Decision d = a.decide(request.getHeaderString(HttpHeaders.AUTHORIZATION), request.getHeaderString(ApiAuthenticator.API_KEY_HEADER));
        if (!d.allowed()) {
            request.abortWith(Response.status(Response.Status.UNAUTHORIZED).type(MediaType.APPLICATION_JSON)
                    .header(HttpHeaders.WWW_AUTHENTICATE, a.challenge())
                    .entity(new SeriesResource.ErrorBody(d.denied())).build());
        }
    }
}
