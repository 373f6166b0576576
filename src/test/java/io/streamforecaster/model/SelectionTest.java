package io.streamforecaster.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SelectionTest {

    static final TrainingSettings S = new TrainingSettings(Variant.VANILLA, 3, 1, 4, 1, 1, 0.01, 1, 1.0, 8);

    /** 0, 1, 2, ...: a model that adds 1 to the last value is exact, naive is off by 1. */
    static double[][] ramp(int n) {
        double[][] rows = new double[n][];
        for (int i = 0; i < n; i++) {
            rows[i] = new double[] {i};
        }
        return rows;
    }

    @Test
    void shouldTrainTheChallengerWithoutTheHeldOutPointsAndScoreBothModelsOnThem() {
        AtomicInteger trainedOn = new AtomicInteger();
        ModelSnapshot champion = TestModels.offset(S, 3, 4, 20); // off by 2 on a ramp
        var challenge = Selection.challenge((s, h, prev, obs, now) -> {
            trainedOn.set(h.length);
            return TestModels.offset(s, 1.5, 0, obs); // off by 0.5
        }, S, ramp(40), champion, 40, 1000);

        assertEquals(32, trainedOn.get(), "the newest 8 of 40 are held out");
        var e = challenge.evaluation();
        assertEquals(8, e.points());
        assertEquals(0.5, e.challengerMae(), 1e-6);
        assertEquals(2.0, e.championMae(), 1e-6);
        assertEquals(1.0, e.naiveMae(), 1e-12);
        assertTrue(e.promote());
    }

    @Test
    void shouldPromoteABetterChallengerAsTheNextVersion() {
        ModelSnapshot champion = TestModels.offset(S, 3, 4, 20);
        var challenge = Selection.challenge((s, h, prev, obs, now) -> TestModels.offset(s, 1, 0, obs), S, ramp(40), champion, 40, 1000);

        var outcome = Selection.decide(champion, challenge, 5000);

        assertEquals(Selection.Decision.PROMOTED, outcome.decision());
        assertEquals(5, outcome.model().version());
        assertEquals(5000, outcome.model().assessment().checkedAt());
        assertEquals(40, outcome.model().assessment().checkedObservations());
        assertEquals(0.0, outcome.model().assessment().holdoutMae(), 1e-6);
        assertEquals(1.0, outcome.model().assessment().holdoutNaiveMae(), 1e-12);
        assertEquals(8, outcome.model().assessment().holdoutPoints());
    }

    @Test
    void shouldKeepTheChampionWhenTheChallengerDoesWorseOnTheHeldOutPoints() {
        ModelSnapshot champion = TestModels.offset(S, 1, 4, 20); // exact
        var challenge = Selection.challenge((s, h, prev, obs, now) -> TestModels.offset(s, -1, 0, obs), S, ramp(40), champion, 40, 1000);

        var outcome = Selection.decide(champion, challenge, 5000);

        assertEquals(Selection.Decision.REJECTED, outcome.decision());
        ModelSnapshot kept = outcome.model();
        assertEquals(4, kept.version());
        assertSame(champion.lstms().get(0), kept.lstms().get(0), "the champion's own weights");
        assertEquals(1, kept.assessment().rejections());
        assertEquals(2.0, kept.assessment().challengerMae(), 1e-6);
        assertEquals(0.0, kept.assessment().holdoutMae(), 1e-6);
        assertEquals(5000, kept.assessment().checkedAt(), "the retraining schedule counts from this check");
        assertEquals(40, kept.assessment().checkedObservations());
        assertEquals(20, kept.observations(), "still the observations it was trained on");
    }

    @Test
    void shouldPromoteTheFirstModelAndAnyModelWhenTooLittleHistoryCanBeHeldOut() {
        var first = Selection.challenge((s, h, prev, obs, now) -> TestModels.offset(s, 50, 0, obs), S, ramp(40), null, 40, 1);
        assertEquals(Selection.Decision.PROMOTED, Selection.decide(null, first, 1).decision());
        assertEquals(1, Selection.decide(null, first, 1).model().version());

        assertEquals(4, Selection.holdoutFor(S, 16), "at most a quarter of the history");
        assertEquals(8, Selection.holdoutFor(S, 400));
        assertEquals(0, Selection.holdoutFor(S, 5), "5 - 1 rows would leave fewer than n-steps + 2 to train on");
        ModelSnapshot champion = TestModels.offset(S, 1, 2, 5);
        var shortHistory = Selection.challenge((s, h, prev, obs, now) -> TestModels.offset(s, 50, 0, obs), S, ramp(5), champion, 5, 1);
        assertEquals(0, shortHistory.evaluation().points());
        assertEquals(Selection.Decision.PROMOTED, Selection.decide(champion, shortHistory, 1).decision());
    }

    @Test
    void shouldReadBackTheAssessmentFromTheModelFormat() {
        ModelSnapshot champion = TestModels.offset(S, 1, 4, 20);
        var challenge = Selection.challenge((s, h, prev, obs, now) -> TestModels.offset(s, -1, 0, obs), S, ramp(40), champion, 40, 1000);
        ModelSnapshot kept = Selection.decide(champion, challenge, 5000).model();

        assertEquals(kept.assessment(), ModelFormat.decode(ModelFormat.encode(kept)).assessment());
    }

    /** An outlier in the held-out rows made both errors infinite, and Inf <= Inf promoted the challenger without evidence. */
    @Test
    void shouldNotPromoteAChallengerWhoseHeldOutErrorIsNotFinite() {
        double inf = Double.POSITIVE_INFINITY;
        org.junit.jupiter.api.Assertions.assertFalse(new Selection.Evaluation(32, inf, inf, 1.0).promote(), "no evidence either way: the champion stays");
        org.junit.jupiter.api.Assertions.assertFalse(new Selection.Evaluation(32, inf, 2.0, 1.0).promote());
        assertTrue(new Selection.Evaluation(32, 2.0, inf, 1.0).promote(), "a finite challenger beats a champion that failed");
        assertTrue(new Selection.Evaluation(32, inf, Double.NaN, 1.0).promote(), "no champion: the first model is installed, then judged");
    }
}
