package io.streamforecaster.api;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamforecaster.model.ModelFormat;
import io.streamforecaster.state.SeriesState;
import io.streamforecaster.state.Source;
import io.streamforecaster.stream.Stores;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The overview of every series across all instances: each instance lists the keys in its own
 * stores (kept for a couple of seconds, so that many open pages cost one scan), and the instance
 * asked gathers the others' lists; an instance that does not answer is named, and the result
 * marked partial.
 */
@ApplicationScoped
public class SeriesOverview {

    private static final Logger LOG = Logger.getLogger(SeriesOverview.class);
    /** How long one instance's own listing is reused at least. */
    static final long LOCAL_CACHE_MILLIS = 2000;
    /**
     * And at least this many times as long as it took to make: an instance's listings of its own
     * keys take at most about a tenth of a core, however many keys it has and however many pages
     * are open (about 25–40 µs a key here: with 100,000 keys a listing is reused for about 25–30 s).
     */
    static final int REUSE_FACTOR = 10;
    /** But never longer than this: one listing slowed by a pause or a starved core is not kept for minutes. */
    static final long MAX_REUSE_MILLIS = 30_000;
    /** How long the overview waits for the other instances' listings, all of them together. */
    static final Duration PEER_TIMEOUT = Duration.ofSeconds(5);
    /** Tolerant of fields it does not know: during a rolling upgrade a newer peer's listing has more. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** A page of the overview. @param missing instances that did not answer, or partitions being restored (the page is then partial) */
    public record Page(long total, int offset, int limit, boolean partial, List<String> missing, List<SeriesSummary> items) {
    }

    /**
     * One instance's own keys.
     *
     * @param listed its input partitions whose keys are listed
     * @param unqueryable its input partitions whose stores cannot be read now (restoring, or being handed over): their keys are not listed
     */
    public record Listing(List<SeriesSummary> items, java.util.Set<Integer> listed, java.util.Set<Integer> unqueryable) {

        /** Whether this listing was taken of exactly these partitions (the instance's assignment then). */
        boolean of(java.util.Set<Integer> partitions) {
            return listed.size() + unqueryable.size() == partitions.size() && partitions.containsAll(listed) && partitions.containsAll(unqueryable);
        }
    }

    /** On an instance's own listing ({@code scope=local}): the partitions it could not list (comma-separated). */
    static final String UNQUERYABLE = "X-Forecaster-Unlisted-Partitions";
    /**
     * On an instance's own listing ({@code scope=local}): the partitions it listed (comma-separated).
     * The instance gathering the overview checks that every input partition was listed, once.
     */
    static final String LISTED = "X-Forecaster-Listed-Partitions";
    /** {@link #LISTED} of an instance that listed no partition (an empty header could be dropped on the way). */
    static final String NONE_LISTED = "none";

    /** How the overview can be sorted; a leading {@code -} reverses. */
    public enum Sort {
        RATIO(Comparator.comparing(SeriesSummary::maeRatio, Comparator.nullsFirst(Comparator.naturalOrder()))),
        COVERAGE(Comparator.comparing(SeriesSummary::coverage, Comparator.nullsFirst(Comparator.naturalOrder()))),
        AGE(Comparator.comparing(SeriesSummary::modelAgeSeconds, Comparator.nullsFirst(Comparator.naturalOrder()))),
        VERSION(Comparator.comparingLong(SeriesSummary::modelVersion)),
        SOURCE(Comparator.comparing(SeriesSummary::source, Comparator.nullsFirst(Comparator.naturalOrder()))),
        KEY(Comparator.comparing(SeriesSummary::key));

        final Comparator<SeriesSummary> order;

        Sort(Comparator<SeriesSummary> order) {
            this.order = order;
        }

        /**
         * {@code ratio}, {@code -ratio}, {@code key}, ...: the order with ties broken by key.
         *
         * @throws IllegalArgumentException for an unknown sort
         */
        static Comparator<SeriesSummary> parse(String text) {
            String t = text == null || text.isBlank() ? "-ratio" : text.strip();
            boolean reversed = t.startsWith("-");
            Sort sort = Sort.valueOf((reversed ? t.substring(1) : t).toUpperCase(Locale.ROOT));
            Comparator<SeriesSummary> c = reversed ? sort.order.reversed() : sort.order;
            return c.thenComparing(SeriesSummary::key);
        }
    }

    @Inject
    KafkaStreams streams;

    @Inject
    SeriesQueries queries;

    @Inject
    Peers peers;

    @ConfigProperty(name = "quarkus.kafka-streams.application-server")
    Optional<String> applicationServer;

    /** The listing kept, when it was made (nanoTime) and for how long it is reused. */
    private record Kept(Listing listing, long atNanos, long forNanos, long restoresEnded) {

        /** Made within its time, of these partitions, and no restore has ended since it left a partition out. */
        boolean fresh(long nowNanos, java.util.Set<Integer> partitions, long restoresEndedNow) {
            return nowNanos - atNanos < forNanos && listing.of(partitions)
                    && (listing.unqueryable().isEmpty() || restoresEnded == restoresEndedNow);
        }
    }

    private volatile Kept kept;
    /** Restores that end make a listing that left a restoring partition out stale. */
    @Inject
    io.streamforecaster.stream.RestoringPartitions restoring = new io.streamforecaster.stream.RestoringPartitions();

    /** The clock listings are kept by (nanoseconds); a test's own. */
    java.util.function.LongSupplier nanoClock = System::nanoTime;

    /**
     * The first {@code n} keys of a listing that contain {@code q}, in order, and how many contain it.
     *
     * @param total the keys that contain {@code q}
     */
    public record Top(long total, List<SeriesSummary> items) {

        /** @param q keeps keys containing this, ignoring case (null or blank: all) */
        static Top of(List<SeriesSummary> listing, String q, Comparator<SeriesSummary> order, int n) {
            String needle = q == null || q.isBlank() ? null : q.toLowerCase(Locale.ROOT);
            List<SeriesSummary> kept = new ArrayList<>();
            for (SeriesSummary s : listing) {
                if (needle == null || s.key().toLowerCase(Locale.ROOT).contains(needle)) {
                    kept.add(s);
                }
            }
            kept.sort(order);
            return new Top(kept.size(), List.copyOf(kept.subList(0, Math.min(n, kept.size()))));
        }
    }

    /**
     * One page of every instance's keys. Each other instance is asked only for its first
     * {@code offset + limit} keys in this order and its count (the page is among their union), not
     * for all its keys. The page is partial, and says why, when an instance does not answer, when
     * an instance cannot read a partition, and when the listings do not cover every assigned input
     * partition exactly once: while a partition moves between instances neither may list it (its
     * keys would be missing from the count), or both (counted twice).
     *
     * @param q keeps keys containing this, ignoring case (null: all)
     * @param sort see {@link Sort#parse}
     * @param credentials the caller's, passed on to the other instances, which check them as this one did
     * @throws InvalidStateStoreException or IllegalStateException when Kafka Streams stops or is not started
     * @throws IllegalArgumentException for an unknown sort
     */
    public Page page(int offset, int limit, String q, String sort, Peers.Credentials credentials) {
        Comparator<SeriesSummary> order = Sort.parse(sort);
        int n = (int) Math.min(Integer.MAX_VALUE, (long) offset + limit);
        Listing own = local();
        Top mine = Top.of(own.items(), q, order, n);
        List<SeriesSummary> candidates = new ArrayList<>(mine.items());
        long total = mine.total();
        List<String> missing = new ArrayList<>();
        PartitionCoverage listed = new PartitionCoverage();
        listed.addAll(own.listed());
        java.util.Set<Integer> named = new java.util.TreeSet<>(own.unqueryable());
        if (!own.unqueryable().isEmpty()) {
            missing.add(unlisted(applicationServer.orElse("this instance"), PartitionCoverage.format(own.unqueryable())));
        }
        for (Top theirs : gatherOthers(q, sort, order, n, missing, listed, named, credentials)) {
            candidates.addAll(theirs.items());
            total += theirs.total();
        }
        java.util.Set<Integer> unlisted = listed.missing(queries.assignedPartitions());
        unlisted.removeAll(named);
        if (!unlisted.isEmpty() && listed.complete()) { // an instance of the previous version names no partitions, and one that did not answer is named already
            missing.add("partition(s) " + PartitionCoverage.format(unlisted) + " listed by no instance (restoring, or moving between instances): their keys are not listed");
        }
        java.util.Set<Integer> twice = listed.twice();
        if (!twice.isEmpty()) {
            missing.add("partition(s) " + PartitionCoverage.format(twice)
                    + " listed by two instances (moving between them): their keys may be counted twice");
            Map<String, SeriesSummary> once = new java.util.LinkedHashMap<>();
            candidates.forEach(s -> once.putIfAbsent(s.key(), s));
            candidates = new ArrayList<>(once.values());
        }
        candidates.sort(order);
        int from = Math.min(offset, candidates.size());
        int to = Math.min(candidates.size(), from + limit);
        return new Page(total, offset, limit, !missing.isEmpty(), missing, List.copyOf(candidates.subList(from, to)));
    }

    /**
     * This instance's keys, listed at most every {@link #LOCAL_CACHE_MILLIS} (or {@link #REUSE_FACTOR}
     * times as long as the last listing took, if longer), and again as soon as a restore ends that
     * it left a partition out for, or as soon as
     * its partitions change (a listing of the partitions it had before a move would count keys
     * another instance now lists, or leave out those it now has).
     */
    public Listing local() {
        Kept k = kept;
        if (k != null && k.fresh(nanoClock.getAsLong(), queries.localPartitions(), restoring.restoresEnded())) {
            return k.listing();
        }
        synchronized (this) {
            long start = nanoClock.getAsLong();
            java.util.Set<Integer> partitions = queries.localPartitions(); // as they are now, after any wait for the lock
            long restoresEnded = restoring.restoresEnded(); // before the listing: a restore ending during it makes it stale
            if (kept != null && kept.fresh(start, partitions, restoresEnded)) {
                return kept.listing();
            }
            Listing list = scan(partitions, System.currentTimeMillis());
            long end = nanoClock.getAsLong();
            kept = new Kept(list, end, keepFor(end - start), restoresEnded);
            return list;
        }
    }

    /**
     * How long a listing that took {@code tookNanos} is kept: {@link #REUSE_FACTOR} times that, at
     * least {@link #LOCAL_CACHE_MILLIS} and at most {@link #MAX_REUSE_MILLIS}. One that left a
     * restoring partition out is listed again as soon as a restore ends, so that its keys show.
     */
    static long keepFor(long tookNanos) {
        return Math.min(MAX_REUSE_MILLIS * 1_000_000, Math.max(LOCAL_CACHE_MILLIS * 1_000_000, REUSE_FACTOR * tookNanos));
    }

    private Listing scan(java.util.Set<Integer> partitions, long now) {
        List<SeriesSummary> out = new ArrayList<>();
        java.util.Set<Integer> listed = new java.util.TreeSet<>();
        java.util.Set<Integer> unqueryable = new java.util.TreeSet<>();
        for (int partition : partitions) {
            try {
                Map<String, ModelFormat.Summary> models = new HashMap<>();
                try (var it = store(Stores.MODELS, partition).all()) {
                    while (it.hasNext()) {
                        var kv = it.next();
                        try {
                            models.put(kv.key, ModelFormat.summary((byte[]) kv.value));
                        } catch (RuntimeException e) {
                            // an unreadable model: the key shows without one until retrained
                        }
                    }
                }
                ModelFormat.Summary shared = models.get(Stores.SHARED_MODEL_KEY);
                try (var it = store(Stores.SERIES, partition).all()) {
                    while (it.hasNext()) {
                        var kv = it.next();
                        out.add(summary(kv.key, (SeriesState) kv.value, shared != null ? shared : models.get(kv.key), now));
                    }
                }
                listed.add(partition);
            } catch (InvalidStateStoreException e) {
                LOG.debugf("Partition %d is not queryable now (%s); left out of this listing", partition, e.getMessage());
                unqueryable.add(partition);
            }
        }
        return new Listing(List.copyOf(out), java.util.Collections.unmodifiableSet(listed), java.util.Collections.unmodifiableSet(unqueryable));
    }

    /** What the page shows for partitions an instance could not list. */
    static String unlisted(String instance, String partitions) {
        return instance + " (partition(s) " + partitions + " restoring or moving: their keys are not listed)";
    }

    static SeriesSummary summary(String key, SeriesState s, ModelFormat.Summary model, long now) {
        var latest = s.latest();
        var judgement = s.judgement();
        String source = switch (latest.source()) {
            case NONE -> null;
            case LSTM -> judgement.damped() ? "damped" : "lstm";
            case NAIVE -> judgement.fallback() ? "fallback" : "naive";
        };
        double mae = s.accuracy().onlineMae();
        double naive = s.accuracy().naiveMae();
        Double ratio = Double.isFinite(mae) && naive > 0 ? mae / naive : null;
        return new SeriesSummary(key, source, model == null ? 0 : model.version(),
                model == null ? null : Instant.ofEpochMilli(model.trainedAt()).toString(),
                model == null ? null : Math.max(0, (now - model.trainedAt()) / 1000),
                finite(mae), finite(naive), ratio, finite(s.served().coverage()), s.drift().drifting(),
                s.history().observations(), s.history().lastTimestamp());
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /**
     * Every other instance's first {@code n} keys and count, asked in parallel; names those that do
     * not answer. An instance of an older version answers with all its keys, which are then kept
     * and ordered here.
     *
     * @param listed gets the partitions each instance listed
     * @param named gets the partitions an instance named as not listed (restoring or moving)
     */
    private List<Top> gatherOthers(String q, String sort, Comparator<SeriesSummary> order, int n, List<String> missing,
                                   PartitionCoverage listed, java.util.Set<Integer> named, Peers.Credentials credentials) {
        HostInfo self = applicationServer.map(HostInfo::buildFromEndpoint).orElse(null);
        String query = "/series?scope=local&top=" + n
                + (sort == null ? "" : "&sort=" + java.net.URLEncoder.encode(sort, java.nio.charset.StandardCharsets.UTF_8))
                + (q == null ? "" : "&q=" + java.net.URLEncoder.encode(q, java.nio.charset.StandardCharsets.UTF_8));
        Map<HostInfo, CompletableFuture<HttpResponse<byte[]>>> asked = new HashMap<>();
        for (HostInfo h : instances()) {
            if (h.equals(self) || HostInfo.unavailable().equals(h) || asked.containsKey(h)) {
                continue;
            }
            java.net.URI uri;
            try {
                uri = peers.uri(h, query);
            } catch (IllegalArgumentException e) { // forecaster.api.peer-hosts leaves it out: not asked, its keys not listed
                missing.add(unanswered(h, e));
                listed.add(null);
                asked.put(h, null);
                continue;
            }
            HttpRequest request = credentials.addTo(HttpRequest.newBuilder(uri)
                    .timeout(PEER_TIMEOUT).header(SeriesResource.FORWARDED, "1")).GET().build();
            asked.put(h, peers.client().sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()));
        }
        List<Top> tops = new ArrayList<>();
        long deadline = System.nanoTime() + PEER_TIMEOUT.toNanos(); // all peers together, as they are asked at once
        asked.forEach((host, future) -> {
            if (future == null) { // not asked
                return;
            }
            try {
                HttpResponse<byte[]> r = Peers.await(future, Duration.ofNanos(deadline - System.nanoTime()));
                if (r.statusCode() != 200) {
                    missing.add(Peers.address(host) + " (HTTP " + r.statusCode() + ")");
                    listed.add(null); // its partitions are unknown: named once, as this instance
                    return;
                }
                var body = JSON.readTree(r.body());
                tops.add(body.isArray()
                        ? Top.of(JSON.convertValue(body, new TypeReference<List<SeriesSummary>>() { }), q, order, n)
                        : JSON.treeToValue(body, Top.class));
                r.headers().firstValue(UNQUERYABLE).filter(p -> !p.isBlank())
                        .ifPresent(p -> {
                            missing.add(unlisted(Peers.address(host), p));
                            named.addAll(PartitionCoverage.parse(p));
                        });
                listed.add(r.headers().firstValue(LISTED).orElse(null));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                missing.add(unanswered(host, e));
                listed.add(null);
            } catch (Exception e) {
                missing.add(unanswered(host, e));
                listed.add(null);
            }
        });
        return tops;
    }

    /** Every instance of the application, as Kafka Streams knows them (this one included). */
    List<HostInfo> instances() {
        List<HostInfo> all = new ArrayList<>();
        for (StreamsMetadata m : streams.metadataForAllStreamsClients()) {
            all.add(m.hostInfo());
        }
        return all;
    }

    /** An instance that did not answer, and why, as the page shows it: "host:port (ConnectException: ...)". */
    static String unanswered(HostInfo host, Throwable failure) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        return Peers.address(host) + " (" + cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : ": " + cause.getMessage()) + ")";
    }

    ReadOnlyKeyValueStore<String, Object> store(String name, int partition) {
        return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, Object>keyValueStore())
                .withPartition(partition));
    }
}
