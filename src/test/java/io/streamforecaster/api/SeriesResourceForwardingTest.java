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
        return forwardingTo(List.of(owner), java.util.Set.of(), java.util.Set.of());
    }

    /** Locates every key on other instances; this one can search {@code here} of the input partitions {@code all}. */
    static SeriesResource forwardingTo(List<HostInfo> peers, java.util.Set<Integer> here, java.util.Set<Integer> all) {
        SeriesResource resource = new SeriesResource();
        resource.config = settings();
        Peers client = new Peers();
        client.insecureRequests = "enabled"; // plain HTTP, as instances without TLS talk
        resource.peers = client;
        resource.queries = new SeriesQueries() {
            @Override
            public Location locate(String key) {
                return new Elsewhere(peers, false, here);
            }


            @Override
            public java.util.Set<Integer> assignedPartitions() {
                return all;
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

    /**
     * A peer that sends its headers and then stops in the middle of the body (a GC pause, a network
     * partition, a stopped process) must not hold the request, and its worker thread, past the
     * forwarding deadline: the HTTP client's request timeout ends once the headers are in.
     */
    /** A peer that sends a 200's headers and the start of its body, then stalls until {@code release}. */
    static HttpServer stallingPeer(String bodyStart, java.util.concurrent.CountDownLatch release) throws Exception {
        HttpServer stalling = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        stalling.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        stalling.createContext("/", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, 1000);
            exchange.getResponseBody().write(bodyStart.getBytes(StandardCharsets.UTF_8));
            exchange.getResponseBody().flush();
            try {
                release.await(60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        stalling.start();
        return stalling;
    }

    @Test
    void shouldNotWaitForAPeerThatStallsInTheMiddleOfItsAnswer() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        HttpServer stalling = stallingPeer("{\"key\":\"k\",", release);
        try {
            Response r = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                    SeriesResource.FORWARD_TIMEOUT.plusSeconds(3), () -> forwardingTo(at(stalling)).forecast("k", null, NO_HEADERS));
            assertEquals(503, r.getStatus());
            assertNotNull(r.getHeaderString("Retry-After"));
        } finally {
            release.countDown();
            stalling.stop(0);
        }
    }

    /**
     * Kafka Streams stopping while a query runs (SIGTERM, or a shutdown after stream threads kept
     * dying): its metadata calls then throw IllegalStateException, which must be a 503, not a 500.
     */
    @Test
    void shouldAskToRetryWhenKafkaStreamsStopsWhileTheQueryRuns() {
        SeriesResource resource = new SeriesResource();
        resource.config = settings();
        resource.peers = new Peers();
        resource.queries = new SeriesQueries() {
            @Override
            public Location locate(String key) {
                return new Elsewhere(List.of(), false, java.util.Set.of());
            }


            @Override
            public java.util.Set<Integer> assignedPartitions() {
                throw new IllegalStateException("KafkaStreams is not running. State is PENDING_SHUTDOWN.");
            }

            @Override
            public String unavailability() {
                return "Kafka Streams is PENDING_SHUTDOWN";
            }
        };

        Response r = resource.forecast("k", null, NO_HEADERS);

        assertEquals(503, r.getStatus());
        assertNotNull(r.getHeaderString("Retry-After"));
        assertEquals("Kafka Streams is PENDING_SHUTDOWN", ((SeriesResource.ErrorBody) r.getEntity()).error());
    }

    /** A peer that does not have the key: a 404 saying which input partitions it searched. */
    static HttpServer peerWithout(String searched) throws Exception {
        HttpServer peer = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        peer.createContext("/", exchange -> {
            byte[] body = "{\"error\":\"key is not on this instance\"}".getBytes(StandardCharsets.UTF_8);
            if (searched != null) {
                exchange.getResponseHeaders().add(SeriesResource.SEARCHED, searched);
            }
            exchange.sendResponseHeaders(404, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        peer.start();
        return peer;
    }

    static HostInfo at(HttpServer s) {
        return new HostInfo("localhost", s.getAddress().getPort());
    }

    /**
     * Seen in the fault matrix (S4, scale 1 -> 3 -> 1): a peer that is taking over a key's partition
     * and still restoring it answers that the key is not there; the key was then reported unknown
     * (404) while it moved. Unknown is the answer only when every partition was searched.
     */
    @Test
    void shouldAskToRetryWhileAPartitionNobodyCouldSearchMayHoldTheKey() throws Exception {
        HttpServer a = peerWithout("0,1");
        HttpServer b = peerWithout("");
        try {
            java.util.Set<Integer> all = java.util.Set.of(0, 1, 2, 3);
            Response r = forwardingTo(List.of(at(a), at(b)), java.util.Set.of(2), all).model("host-1.cpu", null, NO_HEADERS);
            assertEquals(503, r.getStatus(), "partition 3 is being restored somewhere");
            assertNotNull(r.getHeaderString("Retry-After"));
            assertTrue(((SeriesResource.ErrorBody) r.getEntity()).error().contains("partition(s) 3 "), r.getEntity().toString());

            Response unknown = forwardingTo(List.of(at(a), at(b)), java.util.Set.of(2, 3), all).model("host-1.cpu", null, NO_HEADERS);
            assertEquals(404, unknown.getStatus(), "every partition searched: the key is unknown");
            assertTrue(((SeriesResource.ErrorBody) unknown.getEntity()).error().contains("unknown key"));
        } finally {
            a.stop(0);
            b.stop(0);
        }
    }

    @Test
    void shouldNotTakeAPeerWithoutAPartitionListForAFullSearch() throws Exception {
        HttpServer old = peerWithout(null);
        try {
            Response r = forwardingTo(List.of(at(old)), java.util.Set.of(0), java.util.Set.of(0, 1)).forecast("k", null, NO_HEADERS);
            assertEquals(503, r.getStatus());
        } finally {
            old.stop(0);
        }
    }

    /** A peer answering every query with this status, header and body. */
    static HttpServer peerAnswering(int status, String header, String value, String json) throws Exception {
        HttpServer peer = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        peer.createContext("/", exchange -> {
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.getResponseHeaders().add(header, value);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        peer.start();
        return peer;
    }

    /** The README's contract: a 404 for a key that exists without such an answer yet carries the header, from whichever instance. */
    @Test
    void shouldRelayThatTheKeyWasFound() throws Exception {
        HttpServer owner = peerAnswering(404, SeriesResource.FOUND, "1", "{\"error\":\"no model for key 'k' yet\"}");
        try {
            Response r = forwardingTo(at(owner)).model("k", null, NO_HEADERS);
            assertEquals(404, r.getStatus());
            assertEquals("1", r.getHeaderString(SeriesResource.FOUND));
        } finally {
            owner.stop(0);
        }
    }

    /** A 401 from the peer (which checks the same credentials) keeps its challenge. */
    @Test
    void shouldRelayTheChallengeOfARefusal() throws Exception {
        HttpServer owner = peerAnswering(401, "WWW-Authenticate", "Bearer realm=\"stream-forecaster\"", "{\"error\":\"unauthorized\"}");
        try {
            Response r = forwardingTo(at(owner)).forecast("k", null, NO_HEADERS);
            assertEquals(401, r.getStatus());
            assertEquals("Bearer realm=\"stream-forecaster\"", r.getHeaderString("WWW-Authenticate"));
        } finally {
            owner.stop(0);
        }
    }

    /**
     * Peers that accept the connection and never answer: the query gives up after the forwarding
     * timeout over all of them (503), not after that timeout for each, holding a request thread.
     */
    @Test
    void shouldGiveUpOnHungPeersWithinOneTimeout() throws Exception {
        List<ServerSocket> hung = new java.util.ArrayList<>();
        try {
            List<HostInfo> hosts = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ServerSocket s = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
                hung.add(s);
                hosts.add(new HostInfo("localhost", s.getLocalPort()));
            }
            long start = System.nanoTime();
            Response r = forwardingTo(hosts, java.util.Set.of(), java.util.Set.of(0, 1, 2)).forecast("k", null, NO_HEADERS);
            java.time.Duration took = java.time.Duration.ofNanos(System.nanoTime() - start);
            assertEquals(503, r.getStatus());
            assertNotNull(r.getHeaderString("Retry-After"));
            assertTrue(took.compareTo(SeriesResource.FORWARD_TIMEOUT.multipliedBy(2)) < 0,
                    "three hung peers took " + took + ", more than one forwarding timeout (" + SeriesResource.FORWARD_TIMEOUT + ") and its margin");
        } finally {
            for (ServerSocket s : hung) {
                s.close();
            }
        }
    }
}
