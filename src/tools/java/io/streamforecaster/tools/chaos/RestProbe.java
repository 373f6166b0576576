package io.streamforecaster.tools.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Asks every running instance, in turn, for every key's model ({@code GET /series/{key}/model})
 * on its own thread while a scenario moves keys around, and sorts the answers: 200 with the
 * expected version and training time, 503 with {@code Retry-After} (allowed only while keys move),
 * and everything else.
 */
final class RestProbe implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** After the last key is owned again, how long 503 answers still count as part of the move: every instance learns the new owners at its own pace. */
    static final Duration GRACE = Duration.ofSeconds(5);

    private final Supplier<List<Fleet.Instance>> instances;
    private final List<String> keys;
    private final Map<String, Long> versions;
    private final Map<String, Long> trainedAt;
    private final Thread thread;
    private final List<long[]> moves = new ArrayList<>();
    private volatile boolean stopped;

    private long ok;
    private long wrongModel;
    private long unavailable;
    private long unavailableOutsideMoves;
    private long unavailableWithoutRetryAfter;
    private final Map<String, Long> other = new TreeMap<>();
    private final List<String> samples = new ArrayList<>();

    /**
     * @param versions the model version each key must answer with
     * @param trainedAt the training time (epoch ms) each key's model must have
     */
    RestProbe(Supplier<List<Fleet.Instance>> instances, List<String> keys, Map<String, Long> versions, Map<String, Long> trainedAt) {
        this.instances = instances;
        this.keys = keys;
        this.versions = versions;
        this.trainedAt = trainedAt;
        this.thread = new Thread(this::loop, "chaos-rest-probe");
        this.thread.setDaemon(true);
    }

    RestProbe start() {
        thread.start();
        return this;
    }

    /** Keys move from now until {@link #moved}: 503 answers are allowed meanwhile. */
    synchronized void moving() {
        moves.add(new long[] {System.nanoTime(), Long.MAX_VALUE});
    }

    /** Keys have moved; instances may take a moment more to learn where (the grace). */
    synchronized void moved() {
        moves.get(moves.size() - 1)[1] = System.nanoTime() + GRACE.toNanos();
    }

    private void loop() {
        int i = 0;
        while (!stopped) {
            String key = keys.get(i++ % keys.size());
            for (Fleet.Instance instance : instances.get()) {
                if (stopped) {
                    return;
                }
                HttpResponse<String> r = instance.request("/series/" + URLEncoder.encode(key, StandardCharsets.UTF_8) + "/model");
                if (r != null || instance.isAlive()) {
                    record(key, instance, r, System.nanoTime());
                }
            }
            Pause.of(Duration.ofMillis(2));
        }
    }

    private synchronized void record(String key, Fleet.Instance instance, HttpResponse<String> r, long at) {
        if (r == null) {
            count("no answer", key, instance, "");
            return;
        }
        if (r.statusCode() == 200) {
            try {
                JsonNode m = JSON.readTree(r.body());
                long trained = java.time.Instant.parse(m.get("trainedAt").asText()).toEpochMilli();
                if (m.get("version").asLong() == versions.get(key) && trained == trainedAt.get(key)) {
                    ok++;
                } else {
                    wrongModel++;
                    sample("wrong model", key, instance, r.body());
                }
            } catch (Exception e) {
                count("unreadable 200", key, instance, r.body());
            }
        } else if (r.statusCode() == 503) {
            unavailable++;
            if (r.headers().firstValue("Retry-After").isEmpty()) {
                unavailableWithoutRetryAfter++;
                sample("503 without Retry-After", key, instance, r.body());
            }
            if (!duringMove(at)) {
                unavailableOutsideMoves++;
                sample("503 while no key moved", key, instance, r.body());
            }
        } else {
            count(Integer.toString(r.statusCode()), key, instance, r.body());
        }
    }

    private boolean duringMove(long at) {
        for (long[] m : moves) {
            if (at >= m[0] && at <= m[1]) {
                return true;
            }
        }
        return false;
    }

    private void count(String what, String key, Fleet.Instance instance, String body) {
        other.merge(what, 1L, Long::sum);
        sample(what, key, instance, body);
    }

    private void sample(String what, String key, Fleet.Instance instance, String body) {
        if (samples.size() < 8) {
            samples.add(what + " for " + key + " from " + instance.name() + ": " + (body.length() > 160 ? body.substring(0, 160) : body));
        }
    }

    /** The answers, counted. */
    synchronized Result result() {
        return new Result(ok, wrongModel, unavailable, unavailableWithoutRetryAfter, unavailableOutsideMoves, new TreeMap<>(other),
                List.copyOf(samples));
    }

    record Result(long ok, long wrongModel, long unavailable, long unavailableWithoutRetryAfter, long unavailableOutsideMoves,
                  Map<String, Long> other, List<String> samples) {

        long total() {
            return ok + wrongModel + unavailable + other.values().stream().mapToLong(Long::longValue).sum();
        }

        List<String> misses() {
            List<String> m = new ArrayList<>();
            if (wrongModel > 0) {
                m.add(wrongModel + " REST answers with another model version or training time");
            }
            if (unavailableWithoutRetryAfter > 0) {
                m.add(unavailableWithoutRetryAfter + " REST 503 answers without Retry-After");
            }
            if (unavailableOutsideMoves > 0) {
                m.add(unavailableOutsideMoves + " REST 503 answers while no key moved");
            }
            if (!other.isEmpty()) {
                m.add("REST answers other than 200 and 503: " + other);
            }
            return m;
        }

        String describe() {
            return String.format("REST: %,d answers, %,d right (200, same model), %,d 503 while keys moved (%,d without Retry-After, "
                    + "%,d while none moved), %,d wrong model, others %s", total(), ok, unavailable, unavailableWithoutRetryAfter,
                    unavailableOutsideMoves, wrongModel, other);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.join(TimeUnit.SECONDS.toMillis(30));
    }
}
