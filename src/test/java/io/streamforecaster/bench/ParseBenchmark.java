package io.streamforecaster.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamforecaster.ingest.InvalidObservationException;
import io.streamforecaster.ingest.ObservationParser;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A JSON observation read by the service's parser (one streaming pass) against the tree read it
 * replaced ({@code readTree}, then the value written out for the message when it is not a number),
 * on S7's deeply nested values (depth 500-1,900 within 4 KB) and on good JSON. Run with
 * {@code ./forecaster benchmark input}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ParseBenchmark {

    private static final ObjectMapper TREE = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final byte[] KEY = "host-1.cpu".getBytes(StandardCharsets.UTF_8);

    @Param({"nested-json", "good-json"})
    public String input;

    byte[][] values;
    int next;
    final ObservationParser parser = new ObservationParser(1, 4096);

    @Setup
    public void setUp() {
        Random r = new Random(7);
        values = new byte[256][];
        for (int i = 0; i < values.length; i++) {
            int depth = 500 + r.nextInt(1400);
            String text = input.equals("nested-json")
                    ? "{\"value\": " + "[".repeat(depth) + "1" + "]".repeat(depth) + "}"
                    : "{\"value\": " + r.nextDouble() + ", \"timestamp\": 1700000000000}";
            values[i] = text.getBytes(StandardCharsets.UTF_8);
        }
    }

    private byte[] nextValue() {
        next = (next + 1) & (values.length - 1);
        return values[next];
    }

    /** What the stream thread runs now. */
    @Benchmark
    public Object streaming() {
        try {
            return parser.parse(KEY, nextValue(), 0);
        } catch (InvalidObservationException e) {
            return e.getMessage();
        }
    }

    /** The baseline: the tree read of before, and the value written out when it is not a number. */
    @Benchmark
    public Object tree() {
        try {
            JsonNode value = TREE.readTree(new String(nextValue(), StandardCharsets.UTF_8).strip()).get("value");
            return value.isNumber() ? value.asDouble() : "\"value\" is not a number: " + value.toString();
        } catch (java.io.IOException e) {
            return e.getMessage();
        }
    }
}
