package io.streamforecaster.stream;

import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamforecaster.config.ColdStart;
import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.metrics.ForecasterMetrics;
import io.streamforecaster.model.ModelSnapshot;
import io.streamforecaster.model.Selection;
import io.streamforecaster.model.TestModels;
import io.streamforecaster.model.TrainingPool;
import io.streamforecaster.state.SeriesState;
import java.lang.ref.WeakReference;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The scheduler remembers the keys seen between punctuations for the model-age histogram. It kept
 * each key's decoded model until the next punctuation, outside the memory budget: when the budget
 * writes keys out, every event decodes the model again, and at 100,000 keys that held about 8 kB a
 * key seen (over 100 MB). It keeps only when the model was trained.
 */
class TrainingSchedulerMemoryTest {

    @Test
    void shouldNotKeepAServedModelAliveUntilThePunctuation() {
        StreamSettings s = ForecastTopologyTest.settings(ColdStart.NAIVE, 1);
        TrainingPool pool = new TrainingPool(s.training(), Runnable::run, 1, (t, h, p, o, n) -> TestModels.offset(t, 0, 1, o),
                System::currentTimeMillis);
        TrainingScheduler scheduler = new TrainingScheduler(s, null, null, pool,
                new ForecasterMetrics(new SimpleMeterRegistry(), () -> 0, 2));
        SeriesState state = new SeriesState(1, 16);
        for (int i = 0; i < 20; i++) {
            state.history().append(new double[] {i}, i);
        }
        ModelSnapshot model = TestModels.offset(s.training(), 0, 1, 10).installed(1, 0, Selection.Evaluation.NONE);
        WeakReference<ModelSnapshot> served = new WeakReference<>(model);

        scheduler.offer("k", state, model, 1_000);
        model = null;

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
            System.gc();
            return served.get() == null;
        });
    }
}
