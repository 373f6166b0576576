package io.streamforecaster.tools.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code chaos --s7-scale N}: S7 N times as long, with the same mix, and training still off. */
class S7ScaleTest {

    @Test
    void shouldScaleS7sKeysAndRecordsAlike() {
        FuzzedInput.Options longer = FuzzedInput.Options.full().scaled(3);

        assertEquals(new FuzzedInput.Options(3_000, 900_000, 30_000, 4, 7), longer);
        assertThrows(IllegalArgumentException.class, () -> FuzzedInput.Options.full().scaled(10_000),
                "3 billion good records do not fit an int: a usage error, not negative sizes");
    }

    @Test
    void shouldApplyTheScaleToS7Only() {
        String s7 = Matrix.scenario("S7", false, 20, 3).orElseThrow().title();
        assertTrue(s7.contains("30,000 fuzzed records among 900,000"), s7);
        String s5 = Matrix.scenario("S5", false, 20, 3).orElseThrow().title();
        assertEquals(Matrix.scenario("S5", false, 20, 1).orElseThrow().title(), s5);
    }

    /** No key, the extreme values' own included, may reach a first model: 1,004 keys at scale 1, 3,012 at scale 3. */
    @Test
    void shouldKeepEveryKeyOfS7BelowAFirstModelAtAnyScale() {
        Map<Integer, Integer> keysAtScale = Map.of(1, 1_004, 3, 3_012);
        for (var scale : keysAtScale.entrySet()) {
            FuzzedInput.Options o = FuzzedInput.Options.full().scaled(scale.getKey());
            FuzzWorkload w = new FuzzWorkload(o.keys(), o.goodRecords(), o.fuzz(), false, o.seed(), Lab.MAX_BYTES);
            Map<ByteBuffer, Integer> observations = new HashMap<>();
            for (int seq = 0; seq < w.size(); seq++) {
                String category = w.category(seq);
                if (category.equals("good") || category.equals("extreme-value")) { // the others are bad records, not built here
                    Workload.Planned p = w.record(seq);
                    assertEquals("good", p.category(), "an observation at " + seq);
                    observations.merge(ByteBuffer.wrap(p.key()), 1, Integer::sum);
                }
            }
            int most = observations.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
            assertTrue(most < FuzzedInput.TRAINING_OFF_MIN_OBSERVATIONS, "scale " + scale.getKey() + ": a key gets " + most + " observations");
            assertEquals(scale.getValue(), observations.size(), "keys with observations at scale " + scale.getKey());
        }
    }
}
