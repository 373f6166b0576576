package io.streamforecaster.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamforecaster.tools.chaos.BrokerRestarts;
import io.streamforecaster.tools.chaos.CorruptStores;
import io.streamforecaster.tools.chaos.Figures;
import io.streamforecaster.tools.chaos.FuzzedInput;
import io.streamforecaster.tools.chaos.KillDuringReplay;
import io.streamforecaster.tools.chaos.Lab;
import io.streamforecaster.tools.chaos.LostDisk;
import io.streamforecaster.tools.chaos.Matrix;
import io.streamforecaster.tools.chaos.Scaling;
import io.streamforecaster.tools.chaos.Scenario;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.opentest4j.AssertionFailedError;

/**
 * The fault matrix of {@code ./forecaster chaos} (RELIABILITY.md), each scenario at its small
 * size ({@code --quick}), on real Kafka nodes (processes) and the packaged service: the same
 * scenario code as the command, asserting the goal figures. The one-broker scenarios share a
 * cluster (their runs have topics and application ids of their own); S2 and S3 start their own.
 */
class FaultMatrixIT {

    /**
     * Goals that need a defect of issue 9's part A fixed on main first. While an item is listed, a
     * goal of it that does not hold skips its test with the item named (never green); once it holds
     * the test passes. Take an item out when its fix lands.
     */
    static final Set<String> PENDING_PART_A = Set.of(
            "A5",   // timestamps validated before any state changes (S7: bad timestamps applied, then dead-lettered; output refused by the broker)
            "A6",   // no CONTINUE past a failed write (S7: a refused forecast took good ones of its batch along, and killed a stream thread)
            "A8",   // keys checked (S7: invalid UTF-8, empty, long and internal keys accepted)
            "A12"); // corrupt stored records: the key goes on (S6)

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

    static List<Figures> runAlone(Scenario s) throws Exception {
        try (Lab own = Lab.start(dir(s.id().toLowerCase()), s.brokers(), Map.of(), System.err, PATIENCE)) {
            return run(s, own);
        }
    }

    /** Nothing lost, every bad record dead-lettered once and no good one, no stream thread died. */
    static void assertNothingLost(Figures f) {
        String what = f.scenario() + " " + f.run() + ": ";
        assertEquals(0, f.lost(), what + "lost forecasts; " + f.notes());
        assertEquals(0, f.badWithoutDeadLetter(), what + "bad records without a dead letter");
        assertEquals(0, f.goodDeadLettered(), what + "good records dead-lettered");
        assertEquals(0, f.threadDeaths(), what + "stream-thread deaths");
    }

    static void pending(String item, Executable goal) throws Throwable {
        if (!PENDING_PART_A.contains(item)) {
            goal.execute();
            return;
        }
        try {
            goal.execute();
        } catch (AssertionFailedError e) {
            Assumptions.abort("waits for issue 9 part " + item + " on main: " + e.getMessage());
        }
    }

    @Test
    void s1KilledServiceLosesNothingAndDuplicatesNothingUnderExactlyOnce() throws Exception {
        KillDuringReplay.Options o = KillDuringReplay.Options.quick();
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
    void s2ServiceRidesThroughBrokerRestarts() throws Exception {
        Figures f = runAlone(new BrokerRestarts(BrokerRestarts.Options.s2(true))).get(0);
        assertNothingLost(f);
        assertTrue(f.misses().isEmpty(), "the service process ran throughout: " + f.misses());
    }

    @Test
    void s3ServiceRidesThroughTheLossOfAReplica() throws Exception {
        Figures f = runAlone(new BrokerRestarts(BrokerRestarts.Options.s3(true))).get(0);
        assertNothingLost(f);
        assertTrue(f.misses().isEmpty(), "the service process ran throughout: " + f.misses());
    }

    @Test
    void s4KeysKeepTheirModelsAndAnswersWhileTheGroupScales() throws Exception {
        Figures f = run(new Scaling(Scaling.Options.quick()), lab).get(0);
        assertNothingLost(f);
        assertEquals(0, f.retrains(), "no retrain caused by the moves, model versions unchanged");
        assertTrue(f.misses().isEmpty(), "REST: 200, or 503 with Retry-After while keys move: " + f.misses());
    }

    @Test
    void s5LostDiskIsRestoredFromTheChangelogs() throws Exception {
        Figures f = run(new LostDisk(LostDisk.Options.quick()), lab).get(0);
        assertNothingLost(f);
        assertEquals(0, f.retrains(), "the same models, not retrained ones");
        assertTrue(f.misses().isEmpty(), f.misses().toString());
    }

    @Test
    void s6EveryKeyGoesOnAfterCorruptStoredRecords() throws Throwable {
        Figures f = run(new CorruptStores(CorruptStores.Options.quick()), lab).get(0);
        assertEquals(0, f.threadDeaths());
        pending("A12", () -> {
            assertNothingLost(f);
            assertTrue(f.misses().isEmpty(), f.misses().toString());
        });
    }

    @Test
    void s7FuzzedInputEndsInTheDeadLetterTopicAndChangesNoGoodForecast() throws Throwable {
        List<Figures> runs = run(new FuzzedInput(FuzzedInput.Options.quick()), lab);
        Figures clean = runs.get(0);
        Figures fuzzed = runs.get(1);
        assertNothingLost(clean);
        assertEquals(0, fuzzed.deadLettersDuplicated());
        pending("A5", () -> assertTrue(fuzzed.notes().stream().noneMatch(n -> n.contains("processing-error")),
                "no record fails after it changed a key's history: " + fuzzed.notes()));
        pending("A8", () -> assertEquals(0, fuzzed.badWithoutDeadLetter(), "every fuzzed record in the dead-letter topic: " + fuzzed.misses()));
        pending("A6", () -> {
            assertNothingLost(fuzzed);
            // the comparison with the clean run; the throughput ratio is a figure of the command, not a timed test
            assertTrue(fuzzed.misses().stream().allMatch(m -> m.contains("throughput")), fuzzed.misses().toString());
        });
    }
}
