package io.streamforecaster.tools.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/**
 * S5: the disk is lost. The service is stopped, its state directory deleted, and it starts again
 * empty while events keep arriving: every key's history and model come back from the changelog
 * topics (the same model versions, the same history plus the new events), and the first forecast
 * comes after the restore.
 */
public final class LostDisk implements Scenario {

    /**
     * @param before events per key before the disk is lost
     * @param after events per key sent while the service is down
     */
    public record Options(int keys, int partitions, int before, int after) {

        public static Options full() {
            return new Options(10_000, 4, 3, 3);
        }

        public static Options quick() {
            return new Options(1000, 4, 2, 2);
        }
    }

    static final long VERSION = 2;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Options options;

    public LostDisk(Options options) {
        this.options = options;
    }

    @Override
    public String id() {
        return "S5";
    }

    @Override
    public String title() {
        return String.format(Locale.ROOT, "lost disk: the state directory deleted while the service is down, %,d keys", options.keys());
    }

    @Override
    public List<Figures> run(Lab lab) throws Exception {
        return List.of(runOnce(lab));
    }

    private Figures runOnce(Lab lab) throws Exception {
        String run = "s5";
        int keys = options.keys();
        Workload.Series workload = new Workload.Series(keys, keys * (options.before() + options.after()), 0, Lab.MAX_BYTES);
        try (Harness h = Harness.open(lab, run, workload, options.partitions(), true, false, Map.of())) {
            Prefill.Written written = Prefill.write(lab.kafka(), run, options.partitions(), keys, h.settings(), VERSION,
                    System.currentTimeMillis());
            lab.say("S5: %,d keys' histories and models written to the changelogs", keys);
            Fleet.Instance service = h.fleet().add("forecaster-0", Map.of(), Map.of());
            long launched = System.nanoTime();
            service.start();
            long firstRestore = awaitModels(service, keys) - launched;
            h.startCollector();
            h.preload(keys * options.before());
            h.finish();
            Map<String, JsonNode> before = models(service, written.versions().keySet().stream().toList());

            service.stop();
            long at = h.faults().inject("state directory deleted while the service was down");
            deleteTree(service.stateDir());
            h.sender().limit(workload.size()); // events keep coming while it is down
            h.sender().awaitSent(Duration.ofMinutes(5));
            long relaunched = System.nanoTime();
            service.launch();
            service.awaitReady();
            long ready = System.nanoTime() - relaunched;
            Awaitility.await().alias("a forecast after the restart").atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> h.ledger().firstForecastOfInputSentAfter(at) > 0);
            long first = h.ledger().arrivals().firstAtOrAfter(relaunched) - relaunched;
            Awaitility.await().alias("every key forecast after the restart").atMost(Duration.ofMinutes(10))
                    .pollInterval(Duration.ofMillis(200)).until(() -> h.ledger().everyKeyForecastAfter(at) > 0);
            long everyKey = h.ledger().everyKeyForecastAfter(at) - relaunched;
            h.finish();
            Map<String, JsonNode> after = models(service, written.versions().keySet().stream().toList());

            long changed = 0;
            long historyLost = 0;
            List<String> samples = new ArrayList<>();
            for (var e : before.entrySet()) {
                JsonNode b = e.getValue();
                JsonNode a = after.get(e.getKey());
                if (a == null || b == null || a.get("version").asLong() != b.get("version").asLong()
                        || !a.get("trainedAt").asText().equals(b.get("trainedAt").asText())) {
                    changed++;
                    if (samples.size() < 5) {
                        samples.add(e.getKey() + ": before " + b + ", after " + a);
                    }
                } else if (a.get("observations").asLong() != b.get("observations").asLong() + options.after()) {
                    historyLost++;
                    if (samples.size() < 5) {
                        samples.add(e.getKey() + ": " + b.get("observations") + " observations before, " + a.get("observations") + " after "
                                + options.after() + " more");
                    }
                }
            }
            long installs = h.fleet().installs().values().stream().mapToLong(Integer::longValue).sum();
            List<String> misses = new ArrayList<>();
            if (changed > 0) {
                misses.add(changed + " keys came back with another model (or none)");
            }
            if (historyLost > 0) {
                misses.add(historyLost + " keys came back with another history length");
            }
            List<String> notes = new ArrayList<>();
            notes.add(String.format(Locale.ROOT, "first start (restore of %,d keys from the prefilled changelogs): all models in %.1f s",
                    keys, firstRestore / 1e9));
            notes.add(String.format(Locale.ROOT, "after the loss: ready %.1f s after the start, first forecast after %.1f s, every key's "
                    + "first forecast after %.1f s", ready / 1e9, first / 1e9, everyKey / 1e9));
            notes.add(String.format(Locale.ROOT, "%,d of %,d keys came back with the same model version and training time and their "
                    + "history plus the %d new events; models installed: %d", keys - changed - historyLost, keys, options.after(), installs));
            notes.addAll(samples);
            return h.figures("S5", String.format(Locale.ROOT, "%,d keys, state directory deleted", keys), false, installs + changed, notes,
                    misses);
        }
    }

    /** Waits until the instance holds this many models; returns when (nanoTime). */
    private static long awaitModels(Fleet.Instance service, int keys) {
        Awaitility.await().alias("all " + keys + " models restored").atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> service.metric("forecaster_models", null) == keys);
        return System.nanoTime();
    }

    /** Every key's {@code GET /series/{key}/model}, asked four at a time; a key without an answer is left out. */
    static Map<String, JsonNode> models(Fleet.Instance instance, List<String> keys) throws Exception {
        Map<String, JsonNode> out = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (String key : keys) {
                done.add(pool.submit(() -> {
                    var r = instance.get("/series/" + key + "/model");
                    if (r.status() == 200) {
                        try {
                            out.put(key, JSON.readTree(r.body()));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return out;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
