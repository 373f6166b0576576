package io.streamforecaster.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The other instances' addresses come from the consumer group's metadata, which any member sets: a
 * member that joined with the service's Kafka credentials could name a host of its own and receive
 * every forwarded query with the caller's credentials. With {@code forecaster.api.peer-hosts} set,
 * such an instance is never asked.
 */
class PeerHostsTest {

    static final String PODS = "stream-forecaster-[0-9]+\\.stream-forecaster-headless\\.prod\\.svc\\.cluster\\.local";

    @Test
    void shouldAllowOnlyHostsMatchingInFull() {
        PeerHosts hosts = PeerHosts.of(Optional.of(PODS), "stream-forecaster-0.stream-forecaster-headless.prod.svc.cluster.local");
        assertTrue(hosts.allows("stream-forecaster-2.stream-forecaster-headless.prod.svc.cluster.local"));
        assertFalse(hosts.allows("evil.example"));
        assertFalse(hosts.allows("stream-forecaster-2.stream-forecaster-headless.prod.svc.cluster.local.evil.example"), "in full, not a prefix");
        assertTrue(PeerHosts.of(Optional.empty(), "anything").allows("evil.example"), "unset: any host");
        assertTrue(PeerHosts.of(Optional.of(" "), null).allows("evil.example"), "blank: any host");
    }

    @Test
    void shouldRefuseAPatternThatDoesNotCompileOrLeavesThisInstanceOut() {
        String bad = assertThrows(IllegalArgumentException.class, () -> PeerHosts.of(Optional.of("stream-forecaster-[0-9"), null)).getMessage();
        assertTrue(bad.contains("forecaster.api.peer-hosts") && bad.contains("not a regular expression"), bad);
        String self = assertThrows(IllegalArgumentException.class, () -> PeerHosts.of(Optional.of(PODS), "forecaster-0.other.svc")).getMessage();
        assertTrue(self.contains("forecaster.api.peer-hosts") && self.contains("forecaster-0.other.svc"), self);
    }

    /**
     * The group's metadata can carry any string as a host: one that ends a URI's authority early
     * sends the request to another host than the pattern saw.
     */
    @Test
    void shouldRefuseAHostThatIsNoHostNameWhateverThePattern() {
        Peers peers = new Peers();
        peers.insecureRequests = "enabled";
        peers.hosts = PeerHosts.of(Optional.of(".*\\.internal"), null);
        for (String host : List.of("evil.example/x.internal", "evil.example#.internal", "user@evil.example?.internal", "evil example.internal")) {
            assertThrows(PeerHosts.Refused.class, () -> peers.uri(new org.apache.kafka.streams.state.HostInfo(host, 8080), "/series"), host);
        }
        assertEquals("http://pod-1.internal:8080/series", peers.uri(new org.apache.kafka.streams.state.HostInfo("pod-1.internal", 8080), "/series").toString());
        peers.hosts = PeerHosts.any();
        assertThrows(PeerHosts.Refused.class, () -> peers.uri(new org.apache.kafka.streams.state.HostInfo("evil.example/x", 8080), "/series"),
                "not even with any host allowed");
    }

    /** A query forwarded before the startup check has run is held to the setting as well: never "any host" for a moment. */
    @Test
    void shouldHoldToTheSettingBeforeTheStartupCheckHasRun() {
        Peers peers = new Peers();
        peers.insecureRequests = "enabled";
        peers.peerHostsSetting = Optional.of(PODS);
        peers.applicationServer = Optional.of("stream-forecaster-0.stream-forecaster-headless.prod.svc.cluster.local:8080");
        assertThrows(PeerHosts.Refused.class, () -> peers.uri(new org.apache.kafka.streams.state.HostInfo("evil.example", 8080), "/series"));
        assertEquals("http://stream-forecaster-1.stream-forecaster-headless.prod.svc.cluster.local:8080/series",
                peers.uri(new org.apache.kafka.streams.state.HostInfo("stream-forecaster-1.stream-forecaster-headless.prod.svc.cluster.local", 8080),
                        "/series").toString());
    }

    /** A server that records the Authorization header of every request it gets. */
    private static HttpServer recording(List<String> got) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        s.createContext("/", exchange -> {
            got.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            byte[] body = "{\"total\":0,\"items\":[]}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        s.start();
        return s;
    }

    private static final HttpHeaders WITH_TOKEN = (HttpHeaders) java.lang.reflect.Proxy.newProxyInstance(PeerHostsTest.class.getClassLoader(),
            new Class<?>[] {HttpHeaders.class}, (proxy, method, args) ->
                    method.getName().equals("getHeaderString") && HttpHeaders.AUTHORIZATION.equals(args[0]) ? "Bearer users-token" : null);

    @Test
    void shouldNotForwardAQueryOrItsCredentialsToAHostThePatternLeavesOut() throws Exception {
        List<String> got = new CopyOnWriteArrayList<>();
        HttpServer rogue = recording(got);
        try {
            // the rogue member holds partition 1, which no one else searched
            SeriesResource resource = SeriesResourceForwardingTest.forwardingTo(List.of(SeriesResourceForwardingTest.at(rogue)),
                    java.util.Set.of(0), java.util.Set.of(0, 1));
            resource.peers.hosts = PeerHosts.of(Optional.of(PODS), null);
            Response r = resource.model("k", null, WITH_TOKEN);
            assertEquals(502, r.getStatus());
            assertEquals(null, r.getHeaderString("Retry-After"), "asking again changes nothing while that member holds the key");
            assertTrue(((SeriesResource.ErrorBody) r.getEntity()).error().contains("forecaster.api.peer-hosts"), r.getEntity().toString());
            assertEquals(List.of(), got, "the rogue host got nothing");

            // with every partition searched here, the refused member holds nothing the key could be in: the usual 404
            SeriesResource searchedAll = SeriesResourceForwardingTest.forwardingTo(List.of(SeriesResourceForwardingTest.at(rogue)),
                    java.util.Set.of(0, 1), java.util.Set.of(0, 1));
            searchedAll.peers.hosts = PeerHosts.of(Optional.of(PODS), null);
            assertEquals(404, searchedAll.model("k", null, WITH_TOKEN).getStatus());
            assertEquals(List.of(), got);

            resource.peers.hosts = PeerHosts.any();
            resource.model("k", null, WITH_TOKEN);
            assertEquals(List.of("Bearer users-token"), got, "without the pattern it is asked, credentials and all: the test would prove nothing otherwise");
        } finally {
            rogue.stop(0);
        }
    }

    @Test
    void shouldNameTheInstanceLeftOutOfTheOverviewAndNotAskIt() throws Exception {
        List<String> got = new CopyOnWriteArrayList<>();
        HttpServer rogue = recording(got);
        try {
            SeriesOverview overview = OverviewPartialTest.withPeers(rogue);
            overview.peers.hosts = PeerHosts.of(Optional.of(PODS), null);
            SeriesOverview.Page page = overview.page(0, 50, null, null, new Peers.Credentials("Bearer users-token", null));
            assertTrue(page.partial());
            assertEquals(1, page.missing().size(), page.missing().toString());
            assertTrue(page.missing().get(0).contains("forecaster.api.peer-hosts"), page.missing().toString());
            assertEquals(List.of(), got);
        } finally {
            rogue.stop(0);
        }
    }
}
