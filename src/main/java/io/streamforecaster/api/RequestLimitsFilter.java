package io.streamforecaster.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.util.List;
import java.util.Map;

/**
 * Refuses requests whose headers are larger than {@link #MAX_HEADER_BYTES} with a 431 and a JSON
 * reason. The HTTP server itself accepts up to {@code quarkus.http.limits.max-header-size} (64 KiB,
 * application.properties) and cuts anything larger with a bare 431 before any code of ours runs;
 * this lower limit is what clients meet, with an answer they can read.
 */
@Provider
@PreMatching
public class RequestLimitsFilter implements ContainerRequestFilter {

    public static final int MAX_HEADER_BYTES = 16 * 1024;

    @Override
    public void filter(ContainerRequestContext request) {
        long size = 0;
        for (Map.Entry<String, List<String>> h : request.getHeaders().entrySet()) {
            for (String v : h.getValue()) {
                size += h.getKey().length() + 2 + (v == null ? 0 : v.length()) + 2;
            }
        }
        if (size > MAX_HEADER_BYTES) {
            request.abortWith(Response.status(431).type(MediaType.APPLICATION_JSON)
                    .entity(new SeriesResource.ErrorBody("the request's headers (" + size + " bytes) exceed " + MAX_HEADER_BYTES + " bytes")).build());
        }
    }
}
