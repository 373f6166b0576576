package io.streamforecaster.tools.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * S7's good-record throughput divides by the good series' forecasts in both runs: the fuzzed run's
 * extreme but valid values get forecasts too, and counting them would favour the fuzzed run.
 */
class S7GoodRateTest {

    @Test
    void shouldCountTheSameGoodForecastsInTheFuzzedRunAsInTheCleanOne() {
        FuzzWorkload clean = new FuzzWorkload(20, 6_000, 2_000, true, 7, Lab.MAX_BYTES);
        FuzzWorkload fuzzed = new FuzzWorkload(20, 6_000, 2_000, false, 7, Lab.MAX_BYTES);
        Ledger cleanLedger = sent(clean, true);
        Ledger fuzzedLedger = sent(fuzzed, false);

        long good = FuzzedInput.goodForecasts(cleanLedger.expectedForecasts(), clean);
        assertEquals(cleanLedger.tally().forecastsExpected(), good, "the clean run has good records only");
        assertEquals(good, FuzzedInput.goodForecasts(fuzzedLedger.expectedForecasts(), fuzzed));
        assertTrue(fuzzedLedger.tally().forecastsExpected() > good,
                "the fuzzed run expects forecasts for its extreme values too: the test would prove nothing otherwise");
    }

    /** A ledger with every record of the workload sent and acknowledged, as the sender leaves it. */
    private static Ledger sent(FuzzWorkload w, boolean clean) {
        Ledger ledger = new Ledger(0, w.keys(), w.size(), Lab.N_STEPS, false);
        for (int seq = 0; seq < w.size(); seq++) {
            String category = w.category(seq);
            if (category.equals("good") || category.equals("extreme-value")) {
                Workload.Planned p = w.record(seq);
                if (p == null) { // a fuzzed slot the clean run leaves out
                    continue;
                }
                ledger.planned(seq, p.series(), p.category());
            } else if (clean) {
                continue;
            } else { // a bad record, not built (the oversized ones are up to 900 kB)
                ledger.planned(seq, Ledger.BAD, category);
            }
            ledger.acked(seq, true);
        }
        return ledger;
    }
}
