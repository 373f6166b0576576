package io.streamforecaster.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SeedForecastTest {

    @ParameterizedTest
    @EnumSource(Variant.class)
    void shouldForecastTheSeedsExampleAsAboutOneHundred(Variant variant) {
        double[][] history = new double[9][];
        for (int i = 0; i < 9; i++) {
            history[i] = new double[] {10 * (i + 1)};
        }

        ModelSnapshot model = Trainer.train(TrainingSettings.seed(variant, 3, 42), history, null, 9, 0);
        double forecast = FastForecaster.forecast(model, new double[][] {{70}, {80}, {90}})[0];

        assertTrue(model.isFinite());
        assertEquals(1, model.version());
        assertEquals(100.0, forecast, 6.0, variant + " forecast " + forecast);
    }
}
