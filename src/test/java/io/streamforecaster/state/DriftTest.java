package io.streamforecaster.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DriftTest {

    static final DriftSettings S = DriftSettings.defaults();

    /** |N(0, 1)| scaled so that its mean is {@code mean}: a model's absolute errors over naive's mean error. */
    static double error(Random r, double mean) {
        return Math.abs(r.nextGaussian()) * mean / Math.sqrt(2 / Math.PI);
    }

    @Test
    void shouldRarelyDeclareADriftOnStationaryErrors() {
        Random r = new Random(1);
        int detections = 0;
        for (int key = 0; key < 200; key++) {
            Drift d = new Drift();
            for (int i = 0; i < 1000; i++) {
                detections += d.observe(1, error(r, 0.8), i, S) == Drift.Change.DETECTED ? 1 : 0;
            }
        }
        assertTrue(detections <= 4, "false drifts in 200 keys x 1,000 stationary points: " + detections);
    }

    @Test
    void shouldDeclareADriftSoonAfterTheModelsErrorsRise() {
        Random r = new Random(2);
        int found = 0;
        long delays = 0;
        for (int key = 0; key < 100; key++) {
            Drift d = new Drift();
            for (int i = 0; i < 300; i++) {
                d.observe(1, error(r, 0.8), i, S);
            }
            assertFalse(d.drifting());
            for (int i = 300; i < 400; i++) {
                if (d.observe(1, error(r, 2.0), i, S) == Drift.Change.DETECTED) { // the model is now worse than naive
                    found++;
                    delays += i - 300;
                    assertEquals(i, d.since());
                    break;
                }
            }
        }
        assertEquals(100, found, "every key whose model went from 0.8 to 2 times naive's error drifts");
        // well before the fallback, which weighs about 64 recent points
        assertTrue(delays / (double) found < 25, "mean delay " + delays / (double) found + " points");
    }

    @Test
    void shouldNotLetOneOutlierDeclareADrift() {
        Drift d = new Drift();
        for (int i = 0; i < 100; i++) {
            d.observe(1, 0.8, i, S);
        }
        assertEquals(Drift.Change.NONE, d.observe(1, 1e9, 100, S), "clipped at " + S.clip());
        for (int i = 101; i < 200; i++) {
            d.observe(1, 0.8, i, S);
        }
        assertFalse(d.drifting());
    }

    @Test
    void shouldStartAfreshWithEachCheckOfTheModelAndStaySilentWhenOff() {
        Drift d = new Drift();
        for (int i = 0; i < 100; i++) {
            d.observe(1, i < 50 ? 0.5 : 3, i, S);
        }
        assertTrue(d.drifting());
        assertEquals(1, d.detections());
        d.observe(2, 0.5, 100, S); // retrained (or defended): a new check
        assertFalse(d.drifting());
        assertEquals(1, d.points());
        assertEquals(1, d.detections(), "the count is kept");

        Drift off = new Drift();
        var disabled = new DriftSettings(false, 0.1, 8, 4, 32);
        for (int i = 0; i < 100; i++) {
            assertEquals(Drift.Change.NONE, off.observe(1, i < 50 ? 0.5 : 3, i, disabled));
        }
    }

    @Test
    void shouldRoundTripAsAPartOfTheKeysState() {
        SeriesState s = new SeriesState(1, 8);
        for (int i = 0; i < 60; i++) {
            s.drift().observe(7, i < 40 ? 0.5 : 3, i, S);
        }
        SeriesState back = SeriesState.fromBytes(s.toBytes(), 1, 8);
        assertTrue(back.drift().drifting());
        assertEquals(s.drift().since(), back.drift().since());
        assertEquals(s.drift().statistic(), back.drift().statistic());
        assertEquals(s.drift().points(), back.drift().points());
        back.drift().observe(7, 0.5, 61, S);
        assertTrue(back.drift().drifting(), "the same check goes on");
        ByteBuffer b = ByteBuffer.allocate(s.drift().encodedBytes()).order(ByteOrder.LITTLE_ENDIAN);
        s.drift().write(b);
        assertEquals(s.drift().encodedBytes(), b.position());
    }
}
