package io.streamforecaster.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamforecaster.model.ModelSnapshot;
import io.streamforecaster.model.TestModels;
import io.streamforecaster.serving.OnlineForecaster;
import io.streamforecaster.state.SeriesState;
import io.streamforecaster.stream.RetrainPolicy;
import io.streamforecaster.tools.ServiceDefaults;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /series/{key}/model}'s schedule with {@code model.scope=shared} is the partition model's:
 * the per-key rule compared a key's observation count with the partition's (the shared model is
 * trained on all its keys) and showed "after some 50,000 more values", a doubled interval or a
 * drift that the shared scheduler does not use.
 */
class SharedScheduleTest {

    @Test
    void shouldShowThePartitionModelsSchedule() {
        var settings = ServiceDefaults.settings(Map.of("forecaster.model.scope", "shared"));
        SeriesQueries queries = new SeriesQueries();
        queries.settings = settings;
        OnlineForecaster online = new OnlineForecaster(settings);
        SeriesState key = online.newState();
        for (int i = 0; i < 100; i++) {
            online.observe(key, new double[] {i % 7}, i, null);
        }
        ModelSnapshot shared = TestModels.offset(settings.training(), 0, 3, 50_000); // trained on the partition's 50,000 values

        RetrainPolicy.Due due = queries.schedule(key, shared);
        assertEquals(RetrainPolicy.Reason.AGE, due.reason());
        assertEquals(settings.trainingInterval(), due.interval());
        assertEquals(shared.assessment().checkedAt() + settings.trainingInterval().toMillis(), due.dueAt());
        assertTrue(due.observationsNeeded() < 0, "not a key's count: " + due.observationsNeeded());
        assertEquals(RetrainPolicy.Reason.FIRST_MODEL, queries.schedule(key, null).reason());
    }
}
