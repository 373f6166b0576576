package io.streamforecaster.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamforecaster.state.SeriesState;
import jakarta.ws.rs.core.Response;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * While a partition is restored or handed over (every rolling restart), its keys cannot be listed:
 * the overview said so nowhere (partial = false, fewer keys); the instance now names the partitions
 * it left out, and the page is partial.
 */
class OverviewPartialTest {

    /** A read-only store over a map: what the listing reads of a queryable partition. */
    static ReadOnlyKeyValueStore<String, Object> storeOf(Map<String, Object> entries) {
        return new ReadOnlyKeyValueStore<>() {
            @Override
            public Object get(String key) {
                return entries.get(key);
            }

            @Override
            public KeyValueIterator<String, Object> range(String from, String to) {
                throw new UnsupportedOperationException();
            }

            @Override
            public KeyValueIterator<String, Object> all() {
                Iterator<Map.Entry<String, Object>> it = new java.util.TreeMap<>(entries).entrySet().iterator();
                return new KeyValueIterator<>() {
                    @Override
                    public void close() {
                    }

                    @Override
                    public String peekNextKey() {
                        throw new UnsupportedOperationException();
                    }

                    @Override
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    @Override
                    public KeyValue<String, Object> next() {
                        var e = it.next();
                        return KeyValue.pair(e.getKey(), e.getValue());
                    }
                };
            }

            @Override
            public long approximateNumEntries() {
                return entries.size();
            }
        };
    }

    @Test
    void shouldNameThePartitionsItCouldNotList() {
        SeriesState state = SeriesHistoryTest.served();
        SeriesOverview overview = new SeriesOverview() {
            @Override
            ReadOnlyKeyValueStore<String, Object> store(String name, int partition) {
                if (partition == 1) {
                    throw new InvalidStateStoreException("partition 1 is restoring");
                }
                return storeOf(name.equals(io.streamforecaster.stream.Stores.SERIES) ? Map.of("k" + partition, state) : Map.of());
            }
        };
        overview.queries = new SeriesQueries() {
            @Override
            TreeSet<Integer> localPartitions() {
                return new TreeSet<>(List.of(0, 1, 2));
            }

            @Override
            public String unavailability() {
                return null;
            }
        };
        SeriesOverview.Listing own = overview.local();
        assertEquals(List.of("k0", "k2"), own.items().stream().map(SeriesSummary::key).toList());
        assertEquals(java.util.Set.of(1), own.unqueryable());

        SeriesListResource resource = new SeriesListResource();
        resource.overview = overview;
        resource.queries = overview.queries;
        resource.budget = new OverviewBudget();
        Response r = resource.list(null, null, null, null, "local", "50", null, SeriesResourceForwardingTest.NO_HEADERS);
        assertEquals(200, r.getStatus());
        assertEquals("1", r.getHeaderString(SeriesOverview.UNQUERYABLE), "the peer gathering the overview learns what is left out");
        assertEquals("0,2", r.getHeaderString(SeriesOverview.LISTED), "and what is listed");
    }

    /** The instance gathering the overview marks it partial for its own unlisted partitions and for those a peer names. */
    @Test
    void shouldMarkTheOverviewPartialForPartitionsAnyInstanceCouldNotList() throws Exception {
        var peer = SeriesResourceForwardingTest.peerAnswering(200, SeriesOverview.UNQUERYABLE, "3", "[]");
        try {
            var peerHost = SeriesResourceForwardingTest.at(peer);
            SeriesOverview overview = new SeriesOverview() {
                @Override
                ReadOnlyKeyValueStore<String, Object> store(String name, int partition) {
                    if (partition == 1) {
                        throw new InvalidStateStoreException("partition 1 is restoring");
                    }
                    return storeOf(Map.of());
                }

                @Override
                List<org.apache.kafka.streams.state.HostInfo> instances() {
                    return List.of(new org.apache.kafka.streams.state.HostInfo("self", 8080), peerHost);
                }
            };
            overview.queries = new SeriesQueries() {
                @Override
                TreeSet<Integer> localPartitions() {
                    return new TreeSet<>(List.of(0, 1));
                }

                @Override
                public java.util.Set<Integer> assignedPartitions() {
                    return java.util.Set.of(0, 1, 3);
                }
            };
            overview.applicationServer = java.util.Optional.of("self:8080");
            Peers peers = new Peers();
            peers.insecureRequests = "enabled";
            overview.peers = peers;

            SeriesOverview.Page page = overview.page(0, 50, null, null, new Peers.Credentials(null, null));
            assertTrue(page.partial());
            assertEquals(2, page.missing().size(), page.missing().toString());
            assertTrue(page.missing().get(0).startsWith("self:8080 (partition(s) 1 restoring"), page.missing().toString());
            assertTrue(page.missing().get(1).startsWith("localhost:" + peerHost.port() + " (partition(s) 3 restoring"), page.missing().toString());
        } finally {
            peer.stop(0);
        }
    }

    /** An overview with no keys of its own and one other instance, {@code peer}. */
    static SeriesOverview withPeer(com.sun.net.httpserver.HttpServer peer) {
        return withPeers(peer);
    }

    /** An overview with no keys of its own, and these other instances; no input partition is assigned. */
    static SeriesOverview withPeers(com.sun.net.httpserver.HttpServer... others) {
        return withPeers(java.util.Set.of(), others);
    }

    /** An overview with no partitions of its own, and these other instances, among which these input partitions are assigned. */
    static SeriesOverview withPeers(java.util.Set<Integer> assigned, com.sun.net.httpserver.HttpServer... others) {
        List<org.apache.kafka.streams.state.HostInfo> all = new java.util.ArrayList<>(List.of(new org.apache.kafka.streams.state.HostInfo("self", 8080)));
        for (var peer : others) {
            all.add(SeriesResourceForwardingTest.at(peer));
        }
        SeriesOverview overview = new SeriesOverview() {
            @Override
            List<org.apache.kafka.streams.state.HostInfo> instances() {
                return all;
            }
        };
        overview.queries = new SeriesQueries() {
            @Override
            TreeSet<Integer> localPartitions() {
                return new TreeSet<>();
            }

            @Override
            public java.util.Set<Integer> assignedPartitions() {
                return assigned;
            }
        };
        overview.applicationServer = java.util.Optional.of("self:8080");
        Peers peers = new Peers();
        peers.insecureRequests = "enabled";
        overview.peers = peers;
        return overview;
    }

    /** During a rolling upgrade a newer instance's listing has fields this one does not know: its keys are listed all the same. */
    @Test
    void shouldListTheKeysOfAPeerWhoseListingHasFieldsItDoesNotKnow() throws Exception {
        var peer = SeriesResourceForwardingTest.peerAnswering(200, "X-Unused", "1",
                "[{\"key\":\"k1\",\"modelVersion\":2,\"observations\":5,\"lastTimestamp\":7,\"aFieldOfANewerVersion\":{\"x\":1}}]");
        try {
            SeriesOverview.Page page = withPeer(peer).page(0, 50, null, "key", new Peers.Credentials(null, null));
            assertEquals(List.of(), page.missing());
            assertEquals(List.of("k1"), page.items().stream().map(SeriesSummary::key).toList());
        } finally {
            peer.stop(0);
        }
    }

    /** A peer that stalls in the middle of its listing holds the overview no longer than its deadline, and is named. */
    @Test
    void shouldNotWaitForAPeerThatStallsInTheMiddleOfItsListing() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        var stalling = SeriesResourceForwardingTest.stallingPeer("[{\"key\":", release);
        try {
            SeriesOverview.Page page = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(SeriesOverview.PEER_TIMEOUT.plusSeconds(3),
                    () -> withPeer(stalling).page(0, 50, null, null, new Peers.Credentials(null, null)));
            assertTrue(page.partial());
            assertTrue(page.missing().get(0).startsWith("localhost:" + stalling.getAddress().getPort() + " ("), page.missing().toString());
        } finally {
            release.countDown();
            stalling.stop(0);
        }
    }

    /** A summary of key {@code k} with this MAE ratio, as a listing holds it. */
    static String summaryJson(String k, double ratio) {
        return "{\"key\":\"" + k + "\",\"modelVersion\":1,\"maeRatio\":" + ratio + ",\"observations\":5,\"lastTimestamp\":7}";
    }

    /**
     * With 100,000 keys an instance's whole listing is about 30 MB: each page of the overview (the
     * operator page asks every 5 s) asked every other instance for all of it. Now each is asked for
     * its first offset + limit keys in the page's order and its count; an instance of an earlier
     * version, which answers with all its keys, still counts.
     */
    @Test
    void shouldAskEachOtherInstanceOnlyForItsFirstKeysOfThePageAndCountTheRest() throws Exception {
        List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        var current = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("localhost", 0), 0);
        current.createContext("/", exchange -> {
            asked.add(exchange.getRequestURI().getRawQuery());
            byte[] body = ("{\"total\":1000,\"items\":[" + summaryJson("p-worst", 9) + "," + summaryJson("p-second", 8) + "]}")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        current.start();
        var older = SeriesResourceForwardingTest.peerAnswering(200, "X-Unused", "1",
                "[" + summaryJson("o-1", 1) + "," + summaryJson("o-8.5", 8.5) + "," + summaryJson("x10", 10) + "]");
        try {
            SeriesOverview.Page page = withPeers(current, older).page(1, 2, "-", "-ratio", new Peers.Credentials(null, null));

            assertEquals(List.of("scope=local&top=3&sort=-ratio&q=-"), asked, "the first offset + limit keys, in the page's order, containing q");
            assertEquals(1000 + 2, page.total(), "the current peer's count, and the older peer's keys containing '-'");
            assertEquals(List.of("o-8.5", "p-second"), page.items().stream().map(SeriesSummary::key).toList());
        } finally {
            current.stop(0);
            older.stop(0);
        }
    }

    /** A peer that lists these partitions, with these summaries. */
    static com.sun.net.httpserver.HttpServer peerListing(String partitions, String... summaries) throws Exception {
        return SeriesResourceForwardingTest.peerAnswering(200, SeriesOverview.LISTED, partitions,
                "{\"total\":" + summaries.length + ",\"items\":[" + String.join(",", summaries) + "]}");
    }

    /**
     * While a partition moves, the instance that gave it up no longer lists it and the one taking
     * it over does not yet: its keys were missing from the count, and the page did not say so
     * (QueryRoutingIT once counted 2 of 5 keys, not partial). Now every assigned partition must be
     * listed by some instance, or the page is partial and names it.
     */
    @Test
    void shouldMarkThePagePartialWhenNoInstanceListedAnAssignedPartition() throws Exception {
        var a = peerListing("0", summaryJson("k0", 1));
        var b = peerListing("1", summaryJson("k1", 2));
        try {
            SeriesOverview.Page whole = withPeers(java.util.Set.of(0, 1), a, b).page(0, 50, null, "key", new Peers.Credentials(null, null));
            assertEquals(false, whole.partial(), whole.missing().toString());
            assertEquals(2, whole.total());

            SeriesOverview.Page page = withPeers(java.util.Set.of(0, 1, 2), a, b).page(0, 50, null, "key", new Peers.Credentials(null, null));
            assertTrue(page.partial());
            assertEquals(List.of("partition(s) 2 listed by no instance (restoring, or moving between instances): their keys are not listed"), page.missing());
            assertEquals(2, page.total());
        } finally {
            a.stop(0);
            b.stop(0);
        }
    }

    /**
     * During a rolling upgrade an instance of the previous version names no partitions: not
     * knowing which it listed is no gap (its keys are counted), while an instance that listed none
     * says so, and the partition is then missing.
     */
    @Test
    void shouldNotCallAPartitionUnlistedWhenAnInstanceOfThePreviousVersionNamesNone() throws Exception {
        var current = peerListing("0", summaryJson("k0", 1));
        var older = SeriesResourceForwardingTest.peerAnswering(200, "X-Unused", "1", "[" + summaryJson("k1", 2) + "]");
        var empty = peerListing(SeriesOverview.NONE_LISTED);
        try {
            SeriesOverview.Page upgrade = withPeers(java.util.Set.of(0, 1), current, older).page(0, 50, null, "key", new Peers.Credentials(null, null));
            assertEquals(false, upgrade.partial(), upgrade.missing().toString());
            assertEquals(List.of("k0", "k1"), upgrade.items().stream().map(SeriesSummary::key).toList());

            SeriesOverview.Page moving = withPeers(java.util.Set.of(0, 1), current, empty).page(0, 50, null, "key", new Peers.Credentials(null, null));
            assertEquals(List.of("partition(s) 1 listed by no instance (restoring, or moving between instances): their keys are not listed"), moving.missing());
        } finally {
            current.stop(0);
            older.stop(0);
            empty.stop(0);
        }
    }

    /** An instance that does not answer is named once, not again for the partitions it would have listed. */
    @Test
    void shouldNameAnInstanceThatDidNotAnswerOnlyOnce() throws Exception {
        var a = peerListing("0", summaryJson("k0", 1));
        var failing = SeriesResourceForwardingTest.peerAnswering(503, "Retry-After", "1", "{\"error\":\"Kafka Streams is REBALANCING\"}");
        try {
            SeriesOverview.Page page = withPeers(java.util.Set.of(0, 1), a, failing).page(0, 50, null, "key", new Peers.Credentials(null, null));
            assertTrue(page.partial());
            assertEquals(List.of("localhost:" + failing.getAddress().getPort() + " (HTTP 503)"), page.missing());
        } finally {
            a.stop(0);
            failing.stop(0);
        }
    }

    /** A partition listed on both sides of a move: the page is partial, and a key shows once. */
    @Test
    void shouldMarkThePagePartialAndShowAKeyOnceWhenTwoInstancesListedAPartition() throws Exception {
        var a = peerListing("0,1", summaryJson("k0", 1), summaryJson("k1", 2));
        var b = peerListing("1", summaryJson("k1", 2));
        try {
            SeriesOverview.Page page = withPeers(java.util.Set.of(0, 1), a, b).page(0, 50, null, "key", new Peers.Credentials(null, null));
            assertTrue(page.partial());
            assertEquals(List.of("partition(s) 1 listed by two instances (moving between them): their keys may be counted twice"), page.missing());
            assertEquals(List.of("k0", "k1"), page.items().stream().map(SeriesSummary::key).toList());
        } finally {
            a.stop(0);
            b.stop(0);
        }
    }

    /** A partition restoring on a peer is named once, as restoring, not again as listed by no instance. */
    @Test
    void shouldNameAPartitionAPeerCouldNotListOnlyOnce() throws Exception {
        var a = peerListing("0", summaryJson("k0", 1));
        var restoring = SeriesResourceForwardingTest.peerAnswering(200, SeriesOverview.UNQUERYABLE, "1", "{\"total\":0,\"items\":[]}");
        try {
            SeriesOverview.Page page = withPeers(java.util.Set.of(0, 1), a, restoring).page(0, 50, null, "key", new Peers.Credentials(null, null));
            assertEquals(1, page.missing().size(), page.missing().toString());
            assertTrue(page.missing().get(0).contains("(partition(s) 1 restoring or moving"), page.missing().toString());
        } finally {
            a.stop(0);
            restoring.stop(0);
        }
    }

    /**
     * The instance's own listing is kept for a couple of seconds; one taken before a partition
     * came to it would leave out that partition's keys (and one taken before it left, count them
     * twice). It is taken again as soon as the instance's partitions change.
     */
    @Test
    void shouldListAgainAsSoonAsThePartitionsOfTheInstanceChange() {
        SeriesState state = SeriesHistoryTest.served();
        java.util.concurrent.atomic.AtomicReference<TreeSet<Integer>> mine = new java.util.concurrent.atomic.AtomicReference<>(new TreeSet<>(List.of(0)));
        SeriesOverview overview = new SeriesOverview() {
            @Override
            ReadOnlyKeyValueStore<String, Object> store(String name, int partition) {
                return storeOf(name.equals(io.streamforecaster.stream.Stores.SERIES) ? Map.of("k" + partition, state) : Map.of());
            }
        };
        overview.queries = new SeriesQueries() {
            @Override
            TreeSet<Integer> localPartitions() {
                return mine.get();
            }
        };
        assertEquals(List.of("k0"), overview.local().items().stream().map(SeriesSummary::key).toList());
        assertEquals(java.util.Set.of(0), overview.local().listed());
        mine.set(new TreeSet<>(List.of(0, 1)));
        assertEquals(List.of("k0", "k1"), overview.local().items().stream().map(SeriesSummary::key).toList());
        mine.set(new TreeSet<>(List.of(1)));
        assertEquals(List.of("k1"), overview.local().items().stream().map(SeriesSummary::key).toList());
        assertEquals(java.util.Set.of(1), overview.local().listed());
    }

    /**
     * An instance with many keys takes long to list them (about 25–35 µs a key): its listing is
     * reused for ten times as long as it took (at most 30 s), not only the usual two seconds, so that
     * open pages and the other instances' listings take at most about a tenth of a core; one that
     * left a restoring partition out is listed again as soon as a restore ends, so its keys show.
     */
    @Test
    void shouldReuseASlowListingForTenTimesAsLongAsItTookUntilARestoreItLeftOutEnds() {
        SeriesState state = SeriesHistoryTest.served();
        long[] clock = {0};
        java.util.concurrent.atomic.AtomicInteger scans = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean restoringNow = new java.util.concurrent.atomic.AtomicBoolean();
        SeriesOverview overview = new SeriesOverview() {
            @Override
            ReadOnlyKeyValueStore<String, Object> store(String name, int partition) {
                if (partition == 1 && restoringNow.get()) {
                    throw new InvalidStateStoreException("partition 1 is restoring");
                }
                if (name.equals(io.streamforecaster.stream.Stores.SERIES)) {
                    scans.incrementAndGet();
                    clock[0] += 300_000_000L; // each partition's keys take 300 ms to list: 600 ms for the instance
                }
                return storeOf(name.equals(io.streamforecaster.stream.Stores.SERIES) ? Map.of("k" + partition, state) : Map.of());
            }
        };
        overview.nanoClock = () -> clock[0];
        overview.queries = new SeriesQueries() {
            @Override
            TreeSet<Integer> localPartitions() {
                return new TreeSet<>(List.of(0, 1));
            }
        };
        SeriesOverview.Listing first = overview.local();
        clock[0] += 5_900_000_000L; // well past the usual two seconds, short of ten times the 600 ms
        assertTrue(overview.local() == first, "kept");
        assertEquals(2, scans.get(), "listed once (two partitions)");
        clock[0] += 200_000_000L; // 6.1 s after it was made
        assertTrue(overview.local() != first, "listed again");
        assertEquals(4, scans.get());

        restoringNow.set(true);
        clock[0] += 30_000_000_000L;
        SeriesOverview.Listing partial = overview.local();
        assertEquals(java.util.Set.of(1), partial.unqueryable());
        clock[0] += 2_100_000_000L; // past the usual two seconds, short of ten times its 300 ms
        assertTrue(overview.local() == partial, "kept while the partition restores");
        restoringNow.set(false);
        overview.restoring.onRestoreEnd(new org.apache.kafka.common.TopicPartition("changelog", 1), "series", 10);
        assertEquals(List.of("k0", "k1"), overview.local().items().stream().map(SeriesSummary::key).toList(),
                "the restore ended: the partition's keys show at once");

        assertEquals(30_000_000_000L, SeriesOverview.keepFor(60_000_000_000L), "at most 30 s, however long a listing took");
    }
}
