package io.streamforecaster.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.state.SeriesState;
import io.streamforecaster.model.ModelFormat;
import io.streamforecaster.model.Variant;
import io.streamforecaster.serving.OnlineForecaster;
import io.streamforecaster.tools.ServiceDefaults;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RecordSizesTest {

    static StreamSettings settings(Map<String, String> overrides) {
        return ServiceDefaults.settings(overrides);
    }

    @Test
    void shouldAcceptTheDefaultsAndTheExampleOverlay() {
        RecordSizes.check(settings(Map.of()), RecordSizes.KAFKA_DEFAULT_MAX_REQUEST);
        RecordSizes.check(settings(Map.of("forecaster.model.variant", "stacked", "forecaster.forecast.horizon", "6")),
                RecordSizes.KAFKA_DEFAULT_MAX_REQUEST);
    }

    @Test
    void shouldRefuseAHorizonWhoseStateRecordWouldNotFitARequest() {
        // the per-step statistics grow with the square of the horizon: 360 steps made a record of about 1.05 MB
        var e = assertThrows(IllegalArgumentException.class,
                () -> RecordSizes.check(settings(Map.of("forecaster.forecast.horizon", "360")), RecordSizes.KAFKA_DEFAULT_MAX_REQUEST));
        assertTrue(e.getMessage().contains("forecaster.forecast.horizon = 360"), e.getMessage());
        assertTrue(e.getMessage().contains("max.request.size"), e.getMessage());
        RecordSizes.check(settings(Map.of("forecaster.forecast.horizon", "360")), 4L * RecordSizes.KAFKA_DEFAULT_MAX_REQUEST);
    }

    /** The refusal names every setting the state's size depends on, the served points among them (34 bytes each). */
    @Test
    void shouldNameTheServedPointsWhenTheyMakeTheStateTooLarge() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> RecordSizes.check(settings(Map.of("forecaster.history.served-points", "10000")), 300_000));
        assertTrue(e.getMessage().contains("forecaster.history.served-points = 10000"), e.getMessage());
        assertTrue(e.getMessage().contains("forecaster.input.max-key-bytes = 256"), e.getMessage());
        RecordSizes.check(settings(Map.of("forecaster.history.served-points", "10000")), RecordSizes.KAFKA_DEFAULT_MAX_REQUEST);
    }

    @Test
    void shouldRefuseAModelWhoseRecordWouldNotFitARequest() {
        var e = assertThrows(IllegalArgumentException.class, () -> RecordSizes.check(
                settings(Map.of("forecaster.model.variant", "stacked", "forecaster.model.units", "512")), RecordSizes.KAFKA_DEFAULT_MAX_REQUEST));
        assertTrue(e.getMessage().contains("forecaster.model.units = 512"), e.getMessage());
    }

    @Test
    void shouldComputeTheSizeAFullStateIsWritten() {
        StreamSettings s = settings(Map.of("forecaster.forecast.horizon", "7", "forecaster.history.size", "64", "forecaster.training.min-observations", "20"));
        s = s.withAnomaly(new io.streamforecaster.anomaly.AnomalySettings(0.587, 200, 4000, 20, 30, 80, 0.08, 0), null); // no quiet periods
        OnlineForecaster online = new OnlineForecaster(s);
        SeriesState state = online.newState();
        Random r = new Random(1);
        for (int i = 0; i < 300; i++) {
            online.observe(state, new double[] {r.nextGaussian()}, i, null);
        }
        for (int i = 0; i < io.streamforecaster.state.Anomalies.RECENT; i++) { // each far above any value before: a full ring of anomalies
            online.observe(state, new double[] {10 << i}, 300 + i, null);
        }
        assertEquals(io.streamforecaster.state.Anomalies.RECENT, state.anomalies().recent().length);
        assertEquals(RecordSizes.maxStateBytes(s), state.toBytes().length,
                "a state with full history, errors, horizon statistics and recent anomalies");
    }

    @Test
    void shouldComputeTheSizeAModelIsWritten() {
        for (Variant v : Variant.values()) {
            var t = new io.streamforecaster.model.TrainingSettings(v, 5, 2, 7, 1, 1, 0.01, 1, 1.0, 0);
            var m = io.streamforecaster.model.TestModels.offset(t, 0.5, 1, 10);
            assertEquals(ModelFormat.encodedBytes(v, 2, 7), ModelFormat.encode(m).length, v.id());
        }
    }
}
