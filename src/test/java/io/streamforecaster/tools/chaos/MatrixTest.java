package io.streamforecaster.tools.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MatrixTest {

    @Test
    void shouldScaleS7sRunWithoutChangingItsMix() {
        FuzzedInput.Options full = FuzzedInput.Options.full();
        FuzzedInput.Options longer = full.scaled(3);

        assertEquals(3 * full.keys(), longer.keys());
        assertEquals(3 * full.goodRecords(), longer.goodRecords());
        assertEquals(3 * full.fuzz(), longer.fuzz());
        // as many observations per key (training stays off) and fuzz as dense as in the full run
        assertEquals(full.goodRecords() / full.keys(), longer.goodRecords() / longer.keys());
        assertEquals(full.goodRecords() / full.fuzz(), longer.goodRecords() / longer.fuzz());
        assertEquals(full.partitions(), longer.partitions());
        assertEquals(full.seed(), longer.seed());
    }

    @Test
    void shouldApplyTheS7ScaleToS7Only() {
        String s7 = Matrix.scenario("S7", false, 20, 3).orElseThrow().title();
        assertTrue(s7.contains("30,000 fuzzed records among 900,000"), s7);
        String s5 = Matrix.scenario("S5", false, 20, 3).orElseThrow().title();
        assertEquals(Matrix.scenario("S5", false, 20, 1).orElseThrow().title(), s5);
    }

    /** Training must stay off in S7, at any scale: no key, the extreme values' own included, may reach a first model. */
    @Test
    void shouldKeepEveryKeyOfS7BelowAFirstModelAtAnyScale() {
        for (int factor : new int[] {1, 3}) {
            FuzzedInput.Options o = FuzzedInput.Options.full().scaled(factor);
            FuzzWorkload w = new FuzzWorkload(o.keys(), o.goodRecords(), o.fuzz(), false, o.seed(), Lab.MAX_BYTES);
            Map<ByteBuffer, Integer> observations = new HashMap<>();
            for (int seq = 0; seq < w.size(); seq++) {
                Workload.Planned p = w.record(seq);
                if (p != null && p.category().equals("good")) {
                    observations.merge(ByteBuffer.wrap(p.key()), 1, Integer::sum);
                }
            }
            int most = observations.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
            assertTrue(most < FuzzedInput.TRAINING_OFF_MIN_OBSERVATIONS, "scale " + factor + ": a key gets " + most + " observations");
            assertEquals(o.keys() + Math.max(4, o.fuzz() / FuzzWorkload.FUZZ_PER_EXTREME_KEY), observations.size(), "scale " + factor);
        }
    }
}
