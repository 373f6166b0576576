package io.streamforecaster.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SeedForecastTest {

    static Stream<Arguments> variantsAndEngines() {
        return Stream.of(Variant.values()).flatMap(v -> Stream.of(TrainingEngine.values()).map(e -> Arguments.of(v, e)));
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("variantsAndEngines")
    void shouldForecastTheSeedsExampleAsAboutOneHundred(Variant variant, TrainingEngine engine) {
        double[][] history = new double[9][];
        for (int i = 0; i < 9; i++) {
            history[i] = new double[] {10 * (i + 1)};
        }

        ModelSnapshot model = Trainer.train(TrainingSettings.seed(variant, 3, 42).withEngine(engine), history, null, 9, 0);
        double forecast = FastForecaster.forecast(model, new double[][] {{70}, {80}, {90}})[0];

        assertTrue(model.isFinite());
        assertEquals(1, model.version());
        assertEquals(100.0, forecast, 6.0, variant + ", " + engine.id() + ": forecast " + forecast);
    }
}
