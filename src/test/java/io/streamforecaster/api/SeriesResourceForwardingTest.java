package io.streamforecaster.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import jakarta.ws.rs.core.Response;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

/**
 * While a key moves between instances, a query for it is answered 503 with {@code Retry-After}:
 * an owner that no longer answers (it is stopping or dead, and its partitions are about to move)
 * or answers 503 itself is such a moment, not a gateway error (the fault matrix's S4 probes this
 * on real instances).
 */
class SeriesResourceForwardingTest {

    /** Locates every key on one other instance. */
    static SeriesResource forwardingTo(HostInfo owner) {
        SeriesResource resource = new SeriesResource();
        resource.config = settings();
        Peers peers = new Peers();
        peers.insecureRequests = "enabled"; // plain HTTP, as instances without TLS talk
        resource.peers = peers;
        resource.queries = new SeriesQueries() {
            @Override
            public Location locate(String key) {
                return new Elsewhere(List.of(owner), false);
            }
        };
        return resource;
    }

    /** The settings the resource reads here: only the longest key (256 bytes, the default). */
    static io.streamforecaster.config.ForecasterConfig settings() {
        io.streamforecaster.config.ForecasterConfig.Input input = proxy(io.streamforecaster.config.ForecasterConfig.Input.class,
                m -> m.getName().equals("maxKeyBytes") ? 256 : null);
        return proxy(io.streamforecaster.config.ForecasterConfig.class, m -> m.getName().equals("input") ? input : null);
    }

    static <T> T proxy(Class<T> type, java.util.function.Function<java.lang.reflect.Method, Object> answer) {
        return type.cast(java.lang.reflect.Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (p, method, args) -> answer.apply(method)));
    }

    /** A caller without credentials: every header absent. */
    static final jakarta.ws.rs.core.HttpHeaders NO_HEADERS = (jakarta.ws.rs.core.HttpHeaders) java.lang.reflect.Proxy.newProxyInstance(
            SeriesResourceForwardingTest.class.getClassLoader(), new Class<?>[] {jakarta.ws.rs.core.HttpHeaders.class}, (proxy, method, args) -> null);

    @Test
    void shouldAskToRetryWhenTheOwnerDoesNotAnswer() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Response r = forwardingTo(new HostInfo("localhost", closed)).model("host-1.cpu", null, NO_HEADERS);
        assertEquals(503, r.getStatus());
        assertNotNull(r.getHeaderString("Retry-After"));
        assertTrue(((SeriesResource.ErrorBody) r.getEntity()).error().contains("did not answer"), r.getEntity().toString());
    }

    @Test
    void shouldAskToRetryWhenTheOwnerIsUnavailableItself() throws Exception {
        HttpServer owner = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        owner.createContext("/", exchange -> {
            byte[] body = "{\"error\":\"state store not queryable now\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Retry-After", "7");
            exchange.sendResponseHeaders(503, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        owner.start();
        try {
            Response r = forwardingTo(new HostInfo("localhost", owner.getAddress().getPort())).forecast("host-1.cpu", null, NO_HEADERS);
            assertEquals(503, r.getStatus());
            assertNotNull(r.getHeaderString("Retry-After"));
        } finally {
            owner.stop(0);
        }
    }
}
