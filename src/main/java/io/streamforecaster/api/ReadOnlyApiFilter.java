package io.streamforecaster.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.util.Set;

/**
 * The API under {@code /series} only reads: any other method gets a 405 with {@code Allow} and a
 * JSON reason. Quarkus would answer it with a 404 once static resources from a WebJar are served
 * (quarkusio/quarkus#31173, the operator page's chart library), which tells a client the key does
 * not exist when it is the method that is wrong.
 */
@Provider
@PreMatching
public class ReadOnlyApiFilter implements ContainerRequestFilter {

    static final Set<String> ALLOWED = Set.of("GET", "HEAD", "OPTIONS");

    @Override
    public void filter(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if ((path.equals("/series") || path.startsWith("/series/")) && !ALLOWED.contains(request.getMethod())) {
            request.abortWith(Response.status(Response.Status.METHOD_NOT_ALLOWED).type(MediaType.APPLICATION_JSON)
                    .header(HttpHeaders.ALLOW, "GET, HEAD, OPTIONS")
                    .entity(new SeriesResource.ErrorBody(request.getMethod() + " is not allowed: the API only reads (GET)")).build());
        }
    }
}
