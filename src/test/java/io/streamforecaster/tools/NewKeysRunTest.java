package io.streamforecaster.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamforecaster.config.ColdStart;
import io.streamforecaster.config.ModelScope;
import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.ingest.InputSettings;
import io.streamforecaster.model.TrainingSettings;
import io.streamforecaster.model.Variant;
import io.streamforecaster.serving.OnlineForecaster;
import io.streamforecaster.serving.ServingSettings;
import io.streamforecaster.state.SeriesState;
import io.streamforecaster.stream.RetrainPolicy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The new-keys run reads when a key became eligible for a first model from the forecasts on the
 * output topic. It counted 128 forecasts, but a key is first forecast at its n-steps-th value, so
 * that was 11 values after the key was eligible (about 7 s in the run, which inflated its first
 * models a minute). The count must be what the service's own step and retraining rule give.
 */
class NewKeysRunTest {

    @Test
    void shouldCountAKeyEligibleAtTheForecastOfItsMinObservationsValue() {
        for (int nSteps : new int[] {12, 24}) {
            TrainingSettings t = new TrainingSettings(Variant.VANILLA, nSteps, 1, 20, 1, 1, 0.01, 1, 1.0, 0);
            StreamSettings s = new StreamSettings("in", "out", "dlq", 512, ColdStart.NAIVE, NewKeysRun.MIN_OBSERVATIONS, 64,
                    Duration.ofMinutes(1), Duration.ofSeconds(2), 50, InputSettings.defaults(), t, ServingSettings.defaults(),
                    ModelScope.PER_KEY, 256);
            OnlineForecaster online = new OnlineForecaster(s);
            SeriesState state = online.newState();
            int forecasts = 0;
            for (int i = 0; i < NewKeysRun.MIN_OBSERVATIONS; i++) {
                assertFalse(RetrainPolicy.of(s, state, null).enoughData(), "eligible before value " + (i + 1));
                if (online.observe(state, new double[] {i % 7}, i, null).forecast()) {
                    forecasts++;
                }
            }
            assertTrue(RetrainPolicy.of(s, state, null).enoughData());
            assertEquals(NewKeysRun.forecastsAtEligibility(nSteps), forecasts, "n-steps " + nSteps);
        }
    }
}
