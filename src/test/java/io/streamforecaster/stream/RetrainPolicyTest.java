package io.streamforecaster.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamforecaster.config.ColdStart;
import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.model.ModelSnapshot;
import io.streamforecaster.model.Selection;
import io.streamforecaster.model.TestModels;
import io.streamforecaster.state.DriftSettings;
import io.streamforecaster.state.SeriesState;
import io.streamforecaster.stream.RetrainPolicy.Reason;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetrainPolicyTest {

    final StreamSettings s = ForecastTopologyTest.settings(ColdStart.NAIVE, 1); // min 8 observations, 4 new, interval 60 s, max 30 min

    SeriesState state(int observations) {
        SeriesState st = new SeriesState(1, 16);
        for (int i = 0; i < observations; i++) {
            st.history().append(new double[] {i}, i);
        }
        return st;
    }

    /** A model installed at {@code at} on {@code observations}, that has beaten {@code defences} challengers. */
    ModelSnapshot model(long at, long observations, int defences) {
        ModelSnapshot m = TestModels.offset(s.training(), 0, 1, observations).installed(1, at, Selection.Evaluation.NONE);
        for (int i = 0; i < defences; i++) {
            m = m.defended(at, observations, new Selection.Evaluation(4, 2, 1, 1.5));
        }
        return m;
    }

    @Test
    void shouldAskForAFirstModelOnceAKeyHasTheObservations() {
        var due = RetrainPolicy.of(s, state(5), null);
        assertEquals(Reason.FIRST_MODEL, due.reason());
        assertFalse(due.enoughData());
        assertEquals(3, due.observationsNeeded());
        assertTrue(RetrainPolicy.of(s, state(8), null).isDue(0));
    }

    @Test
    void shouldRetrainAWellDoingModelLessOftenUpToTheLongestInterval() {
        SeriesState st = state(20);
        assertEquals(Duration.ofSeconds(60), RetrainPolicy.of(s, st, model(0, 10, 0)).interval());
        assertEquals(Duration.ofSeconds(120), RetrainPolicy.of(s, st, model(0, 10, 1)).interval());
        assertEquals(Duration.ofSeconds(480), RetrainPolicy.of(s, st, model(0, 10, 3)).interval());
        assertEquals(Duration.ofMinutes(30), RetrainPolicy.of(s, st, model(0, 10, 12)).interval(), "at most training.max-interval");
        var due = RetrainPolicy.of(s, st, model(1_000, 10, 1));
        assertEquals(Reason.AGE, due.reason());
        assertEquals(1_000 + 120_000, due.dueAt());
        assertFalse(due.isDue(1_000 + 119_999));
        assertTrue(due.isDue(1_000 + 120_000));
        assertFalse(RetrainPolicy.of(s, state(12), model(0, 10, 0)).enoughData(), "needs 4 new observations");
    }

    /**
     * A key whose stored state was unreadable starts afresh while its model is kept: its new
     * history counts from 0, below the model's checked observations. It was not trained again
     * until it had as many observations as before (a million in a long-lived key); its new history
     * is all new, and it is due once it has enough to train on.
     */
    @Test
    void shouldRetrainAKeyWhoseStateStartedAfreshUnderAKeptModel() {
        ModelSnapshot kept = model(0, 1_000_000, 0);
        var due = RetrainPolicy.of(s, state(5), kept);
        assertFalse(due.enoughData());
        assertEquals(3, due.observationsNeeded(), "as many as a first model needs");
        assertTrue(RetrainPolicy.of(s, state(8), kept).isDue(60_000));
    }

    @Test
    void shouldRetrainAKeyInFallbackAtTheBaseIntervalAndADriftingOneAtOnceWhateverTheirDefences() {
        SeriesState fallback = state(20);
        fallback.judgement().fallback(true);
        var due = RetrainPolicy.of(s, fallback, model(0, 10, 5));
        assertEquals(Reason.FALLBACK, due.reason());
        assertEquals(Duration.ofSeconds(60), due.interval());

        SeriesState drifting = state(20);
        for (int i = 0; i < 100; i++) {
            drifting.drift().observe(7, i < 50 ? 0.5 : 3, i, DriftSettings.defaults());
        }
        due = RetrainPolicy.of(s, drifting, model(0, 10, 5));
        assertEquals(Reason.DRIFT, due.reason());
        assertEquals(Duration.ZERO, due.interval(), "due once it has the new observations");
        assertTrue(due.isDue(0));
    }
}
