package io.streamforecaster.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code forecaster.training.warm-start-epochs}: a retrain runs that many epochs from the key's
 * current weights; 0 means no warm start at all (every retrain trains from fresh weights for
 * {@code epochs}), not one epoch, as it silently did.
 */
class WarmStartSettingTest {

    static double[][] series(int n) {
        Random random = new Random(11);
        double[][] s = new double[n][];
        for (int i = 0; i < n; i++) {
            s[i] = new double[] {10 + 3 * Math.sin(i * 2 * Math.PI / 24) + random.nextGaussian() * 0.3};
        }
        return s;
    }

    static TrainingSettings settings(int warmStartEpochs) {
        return new TrainingSettings(Variant.VANILLA, 12, 1, 8, 6, warmStartEpochs, 0.01, 42, 1.0, 0);
    }

    @Test
    void shouldRetrainFromFreshWeightsWithNoWarmStartEpochs() {
        double[][] first = Arrays.copyOf(series(200), 160);
        double[][] all = series(200);
        ModelSnapshot m1 = Trainer.train(settings(0), first, null, 160, 0);
        ModelSnapshot retrained = Trainer.train(settings(0), all, m1, 200, 1);
        ModelSnapshot fresh = Trainer.train(settings(0), all, null, 200, 1);
        assertEquals(2, retrained.version());
        assertArrayEquals(fresh.lstms().get(0).inputWeights(), retrained.lstms().get(0).inputWeights(), "the same as a first model on that history");
        assertArrayEquals(fresh.dense().weights(), retrained.dense().weights());

        ModelSnapshot warm = Trainer.train(settings(1), all, m1, 200, 1);
        assertFalse(Arrays.equals(fresh.lstms().get(0).inputWeights(), warm.lstms().get(0).inputWeights()), "with 1, it starts from m1");
    }
}
