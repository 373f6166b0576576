package io.streamforecaster.tools.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.awaitility.Awaitility;

/**
 * S4: the group scales out and back in mid-stream (processes with their own state directories):
 * keys keep their models (no retrain, versions unchanged), every event has its forecast, and the
 * REST API answers for every key from every instance, with 503 and {@code Retry-After} only while
 * keys move. Then, with three instances, one is killed ({@code kill -9}) and not brought back: the
 * failover time with and without a standby replica.
 */
public final class Scaling implements Scenario {

    /**
     * @param peak instances at the peak (3 in the fault matrix)
     * @param keys keys, each with a trained model and a full history before the run starts
     * @param failover also measure the failover after a kill, with and without standbys
     */
    public record Options(int peak, int keys, int partitions, double rate, Duration hold, boolean failover) {

        public static Options full() {
            return new Options(3, 1000, 6, 300, Duration.ofSeconds(20), true);
        }

        public static Options quick() {
            return new Options(2, 100, 4, 150, Duration.ofSeconds(5), false);
        }
    }

    /** The prefilled models' version: anything else after a move is a retrain. */
    static final long VERSION = 3;

    private final Options options;

    public Scaling(Options options) {
        this.options = options;
    }

    @Override
    public String id() {
        return "S4";
    }

    @Override
    public String title() {
        return String.format(Locale.ROOT, "scale 1 -> %d -> 1 instances mid-stream with %,d keys%s", options.peak(), options.keys(),
                options.failover() ? "; failover after kill -9 with and without a standby" : "");
    }

    @Override
    public List<Figures> run(Lab lab) throws Exception {
        List<Figures> out = new ArrayList<>();
            out.add(scale(lab));
            if (options.failover()) {
                out.add(failover(lab, 0));
                out.add(failover(lab, 1));
            }
        return out;
    }

    private int records(Duration span) {
        return (int) (options.rate() * span.toSeconds());
    }

    private Figures scale(Lab lab) throws Exception {
        String run = "s4-scale";
        lab.say("S4: scale 1 -> %d -> 1", options.peak());
        Workload.Series workload = new Workload.Series(options.keys(), records(Duration.ofMinutes(30)), 0, Lab.MAX_BYTES);
        try (Harness h = Harness.open(lab, run, workload, options.partitions(), true, false, Map.of())) {
            Prefill.Written written = Prefill.write(lab.kafka(), run, options.partitions(), options.keys(), h.settings(), VERSION,
                    System.currentTimeMillis());
            List<Fleet.Instance> all = new ArrayList<>();
            for (int i = 0; i < options.peak(); i++) {
                all.add(h.fleet().add("forecaster-" + i, Map.of(), Map.of()));
            }
            Fleet.Instance first = all.get(0).start();
            awaitOwnedBy(List.of(first), options.keys());
            h.stream(options.rate());
            Set<String> leaving = ConcurrentHashMap.newKeySet();
            List<String> keys = new ArrayList<>(written.versions().keySet());
            try (RestProbe probe = new RestProbe(() -> h.fleet().ready().stream().filter(i -> !leaving.contains(i.name())).toList(),
                    keys, written.versions(), written.trainedAt()).start()) {
                Pause.of(options.hold());

                probe.moving();
                h.faults().inject("scale 1 -> " + options.peak());
                for (Fleet.Instance i : all.subList(1, all.size())) {
                    i.launch();
                }
                for (Fleet.Instance i : all.subList(1, all.size())) {
                    i.awaitReady();
                }
                long up = awaitOwnedBy(all, options.keys());
                probe.moved();
                lab.say("  %d instances own every key %.1f s after the scale-out began", options.peak(), up / 1e9);
                Pause.of(options.hold());

                probe.moving();
                h.faults().inject("scale " + options.peak() + " -> 1");
                for (Fleet.Instance i : all.subList(1, all.size())) {
                    leaving.add(i.name());
                }
                for (Fleet.Instance i : all.subList(1, all.size())) {
                    i.stop();
                }
                long down = awaitOwnedBy(List.of(first), options.keys());
                probe.moved();
                lab.say("  one instance owns every key again %.1f s after the scale-in began", down / 1e9);
                Pause.of(options.hold());
                h.sender().limit(h.sender().sent()); // the rest of the workload is not needed
                h.finish();
                RestProbe.Result rest = probe.result();
                List<String> misses = new ArrayList<>(rest.misses());
                long changed = changedModels(first, written);
                long installs = h.fleet().installs().values().stream().mapToLong(Integer::longValue).sum();
                if (changed > 0) {
                    misses.add(changed + " keys with another model version or training time at the end");
                }
                List<String> notes = new ArrayList<>();
                notes.add(rest.describe());
                notes.addAll(rest.samples());
                notes.add(String.format(Locale.ROOT, "moves: %d instances owned every key %.1f s after the scale-out began; "
                        + "one instance owned every key %.1f s after the scale-in began", options.peak(), up / 1e9, down / 1e9));
                notes.add(String.format(Locale.ROOT, "models installed during the run: %d; keys whose model changed: %d", installs, changed));
                return h.figures("S4", "scale 1 -> " + options.peak() + " -> 1", false, installs + changed, notes, misses);
            }
        }
    }

    private Figures failover(Lab lab, int standbys) throws Exception {
        String run = "s4-failover-" + standbys;
        lab.say("S4: failover after kill -9, %d standby replica(s)", standbys);
        Workload.Series workload = new Workload.Series(options.keys(), records(Duration.ofMinutes(20)), 0, Lab.MAX_BYTES);
        Map<String, String> overrides = new HashMap<>();
        overrides.put("kafka-streams.num.standby.replicas", Integer.toString(standbys));
        try (Harness h = Harness.open(lab, run, workload, options.partitions(), true, false, overrides)) {
            Prefill.Written written = Prefill.write(lab.kafka(), run, options.partitions(), options.keys(), h.settings(), VERSION,
                    System.currentTimeMillis());
            List<Fleet.Instance> all = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                all.add(h.fleet().add("forecaster-" + i, Map.of(), Map.of()).launch());
            }
            for (Fleet.Instance i : all) {
                i.awaitReady();
            }
            awaitOwnedBy(all, options.keys());
            h.stream(options.rate());
            Pause.of(options.hold().multipliedBy(2)); // standbys catch up meanwhile
            Fleet.Instance victim = all.stream().max((a, b) -> Double.compare(a.metric("forecaster_models", null),
                    b.metric("forecaster_models", null))).orElseThrow();
            long at = h.faults().inject("kill -9 of " + victim.name());
            victim.kill();
            List<Fleet.Instance> rest = all.stream().filter(i -> i != victim).toList();
            awaitOwnedBy(rest, options.keys());
            Awaitility.await().alias("every key forecast again").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                    .until(() -> h.ledger().everyKeyForecastAfter(at) > 0);
            long everyKey = h.ledger().everyKeyForecastAfter(at) - at;
            h.sender().limit(h.sender().sent());
            h.finish();
            long changed = changedModels(rest.get(0), written);
            long installs = h.fleet().installs().values().stream().mapToLong(Integer::longValue).sum();
            List<String> notes = new ArrayList<>();
            notes.add(String.format(Locale.ROOT, "failover: every key had a forecast of an event sent after the kill %.1f s after it",
                    everyKey / 1e9));
            return h.figures("S4", "failover after kill -9 of 1 of 3, " + standbys + " standby", false, installs + changed, notes,
                    changed > 0 ? List.of(changed + " keys with another model at the end") : List.of());
        }
    }

    /** Waits until these instances together hold every key's model, each some; returns how long that took. */
    private static long awaitOwnedBy(List<Fleet.Instance> instances, int keys) {
        long start = System.nanoTime();
        Awaitility.await().alias(instances.size() + " instance(s) own all " + keys + " keys").atMost(Duration.ofMinutes(5))
                .pollInterval(Duration.ofMillis(200)).until(() -> {
                    double sum = 0;
                    for (Fleet.Instance i : instances) {
                        double n = i.metric("forecaster_models", null);
                        if (!(n > 0)) {
                            return false;
                        }
                        sum += n;
                    }
                    return sum == keys;
                });
        return System.nanoTime() - start;
    }

    /** Keys whose model, asked of this instance, is not the prefilled one. */
    private static long changedModels(Fleet.Instance instance, Prefill.Written written) throws Exception {
        long changed = 0;
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        for (var e : written.versions().entrySet()) {
            var r = instance.get("/series/" + e.getKey() + "/model");
            if (r.status() != 200) {
                changed++;
                continue;
            }
            var m = json.readTree(r.body());
            long trained = java.time.Instant.parse(m.get("trainedAt").asText()).toEpochMilli();
            if (m.get("version").asLong() != e.getValue() || trained != written.trainedAt().get(e.getKey())) {
                changed++;
            }
        }
        return changed;
    }
}
