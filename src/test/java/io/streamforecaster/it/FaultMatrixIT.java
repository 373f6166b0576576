package io.streamforecaster.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamforecaster.tools.chaos.CorruptStores;
import io.streamforecaster.tools.chaos.Figures;
import io.streamforecaster.tools.chaos.FuzzedInput;
import io.streamforecaster.tools.chaos.KillDuringReplay;
import io.streamforecaster.tools.chaos.Lab;
import io.streamforecaster.tools.chaos.Matrix;
import io.streamforecaster.tools.chaos.Scenario;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A representative subset of the fault matrix of {@code ./forecaster chaos} (RELIABILITY.md) on a
 * real Kafka node (a process) and the packaged service: the same scenario code as the command,
 * asserting the goal figures. S1 (kill -9 under both guarantees), S6 (corrupt stored records) and
 * S7 (fuzzed input) run here at small sizes, on one shared broker (each run has topics and an
 * application id of its own). The scenarios that need brokers of their own or minutes of
 * steady traffic (S2 broker restarts, S3 replica loss, S4 scaling, S5 lost disk) run only in the
 * command, to keep the suite's share of this class to a few minutes.
 */
class FaultMatrixIT {

    /** How long a run waits for more output before it counts what is missing. */
    static final Duration PATIENCE = Duration.ofSeconds(30);

    static Lab lab;

    @BeforeAll
    static void startBroker() throws Exception {
        lab = Lab.start(dir("shared"), 1, Map.of(), System.err, PATIENCE);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (lab != null) {
            lab.close();
            // a full S7 leaves over a gigabyte of records: a closed lab deletes its brokers' data and keeps their logs
            assertFalse(java.nio.file.Files.exists(dir("shared").resolve("kafka").resolve("node-1").resolve("data")), "the broker's data is deleted");
            assertTrue(java.nio.file.Files.exists(dir("shared").resolve("kafka").resolve("node-1").resolve("broker.log")), "the broker's log stays");
        }
    }

    static Path dir(String name) {
        return Path.of("target", "chaos-it", name);
    }

    static List<Figures> run(Scenario s, Lab on) throws Exception {
        List<Figures> figures = s.run(on);
        System.err.println(Matrix.report(figures, List.of(), "FaultMatrixIT " + s.id(), Instant.now()));
        return figures;
    }

    /** Nothing lost, every bad record dead-lettered once and no good one, no stream thread died. */
    static void assertNothingLost(Figures f) {
        String what = f.scenario() + " " + f.run() + ": ";
        assertEquals(0, f.lost(), what + "lost forecasts; " + f.notes());
        assertEquals(0, f.badWithoutDeadLetter(), what + "bad records without a dead letter");
        assertEquals(0, f.goodDeadLettered(), what + "good records dead-lettered");
        assertEquals(0, f.threadDeaths(), what + "stream-thread deaths");
    }

    @Test
    void s1KilledServiceLosesNothingAndDuplicatesNothingUnderExactlyOnce() throws Exception {
        // one kill per guarantee keeps the suite short; the command runs --kills N of them
        KillDuringReplay.Options o = KillDuringReplay.Options.quick().withKills(1);
        List<Figures> runs = run(new KillDuringReplay(o), lab);
        assertEquals(o.variants().size(), runs.size());
        for (Figures f : runs) {
            assertEquals(o.kills(), f.faults(), "kills");
            assertNothingLost(f);
            assertTrue(f.forecastsObserved() >= f.forecastsExpected(), "at least one forecast per accepted event");
        }
        Figures exactlyOnce = runs.stream().filter(f -> f.run().startsWith("exactly-once")).findFirst().orElseThrow();
        assertEquals(exactlyOnce.forecastsExpected(), exactlyOnce.forecastsObserved(), "exactly one forecast per accepted event");
        assertEquals(0, exactlyOnce.duplicated());
        assertEquals(0, exactlyOnce.unexpected());
        assertEquals(exactlyOnce.badSent(), exactlyOnce.deadLetters(), "exactly one dead letter per bad record");
    }

    @Test
    void s6EveryKeyGoesOnAfterCorruptStoredRecords() throws Throwable {
        Figures f = run(new CorruptStores(CorruptStores.Options.quick()), lab).get(0);
        assertNothingLost(f);
        assertTrue(f.misses().isEmpty(), f.misses().toString());
    }

    @Test
    void s7FuzzedInputEndsInTheDeadLetterTopicAndChangesNoGoodForecast() throws Throwable {
        // smaller than the command's --quick (30,000 good records): the same kinds of fuzz, in a minute or two
        List<Figures> runs = run(new FuzzedInput(new FuzzedInput.Options(50, 10_000, 1_000, 2, 7)), lab);
        Figures clean = runs.get(0);
        Figures fuzzed = runs.get(1);
        assertNothingLost(clean);
        assertEquals(0, fuzzed.deadLettersDuplicated());
        assertTrue(fuzzed.notes().stream().noneMatch(n -> n.contains("processing-error")),
                "no record fails after it changed a key's history: " + fuzzed.notes());
        assertNothingLost(fuzzed);
        // the comparison with the clean run; the throughput ratio is a figure of the command, not a timed test
        assertTrue(fuzzed.misses().stream().allMatch(m -> m.contains("throughput")), fuzzed.misses().toString());
    }
}
