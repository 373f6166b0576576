package io.streamforecaster.tools.nab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streamforecaster.tools.nab.NabCorpus.NabSeries;
import io.streamforecaster.tools.nab.NabCorpus.Window;
import io.streamforecaster.tools.nab.NabScorer.CorpusScore;
import io.streamforecaster.tools.nab.NabScorer.FileScore;
import io.streamforecaster.tools.nab.NabScorer.Profile;
import java.util.List;
import org.junit.jupiter.api.Test;

/** NAB's scoring on hand-made files and detections, each figure worked out by hand from NAB's rules. */
class NabScorerTest {

    /** S(x) = 2 / (1 + e^(5x)) - 1, written out. */
    static double s(double x) {
        return 2 / (1 + Math.exp(5 * x)) - 1;
    }

    // 20 records: probation floor(0.15 * 20) = 3 (records 0..2); one window, records 10..14 (W = 5)
    static final NabSeries ONE_WINDOW = new NabSeries("a/one.csv", new double[20], List.of(new Window(10, 14)));

    static double[] firing(int n, int... at) {
        double[] a = new double[n];
        for (int i : at) {
            a[i] = 1;
        }
        return a;
    }

    @Test
    void shouldRewardADetectionAtAWindowsFirstRecordWithExactlyTheTpWeight() {
        FileScore f = NabScorer.scoreFile(ONE_WINDOW, firing(20, 10), Profile.STANDARD, 0.5);
        // position -(14 - 10 + 1) / 5 = -1: S(-1) / S(-1) = 1
        assertEquals(1.0, f.raw(), 1e-15);
        assertEquals(1, f.tp());
        assertEquals(4, f.fn()); // records 11..14 of the window are not detections
        assertEquals(0, f.fp());
        assertEquals(12, f.tn()); // records 3..9 and 15..19
    }

    @Test
    void shouldCountOnlyTheEarliestDetectionOfAWindowScaledByItsPosition() {
        FileScore f = NabScorer.scoreFile(ONE_WINDOW, firing(20, 12, 13), Profile.STANDARD, 0.5);
        // the best is record 12: position -(14 - 12 + 1) / 5 = -0.6
        assertEquals(s(-0.6) / s(-1), f.raw(), 1e-12);
        assertEquals(0.9174, f.raw(), 1e-4);
        assertEquals(2, f.tp());
    }

    @Test
    void shouldChargeFalsePositivesByTheirDistanceAfterTheLastWindowAndFullyBeforeAny() {
        FileScore f = NabScorer.scoreFile(ONE_WINDOW, firing(20, 5, 16), Profile.STANDARD, 0.5);
        // record 5: before any window, -fpWeight; record 16: |14 - 16| / (5 - 1) = 0.5 after the window,
        // S(0.5) * fpWeight = -0.848 * 0.11; the window is missed: -fnWeight
        assertEquals(-0.11 + s(0.5) * 0.11 - 1.0, f.raw(), 1e-12);
        assertEquals(2, f.fp());
        assertEquals(5, f.fn());
        assertEquals(0, f.tp());
    }

    @Test
    void shouldIgnoreDetectionsInTheProbation() {
        FileScore f = NabScorer.scoreFile(ONE_WINDOW, firing(20, 0, 1, 2), Profile.STANDARD, 0.5);
        assertEquals(-1.0, f.raw(), 0);
        assertEquals(0, f.fp());
        assertEquals(17, f.total());
    }

    @Test
    void shouldWeighOutcomesByProfile() {
        double[] a = firing(20, 5, 12);
        assertEquals(-0.22 + s(-0.6) / s(-1), NabScorer.scoreFile(ONE_WINDOW, a, Profile.LOW_FP, 0.5).raw(), 1e-12);
        assertEquals(-2.0, NabScorer.scoreFile(ONE_WINDOW, new double[20], Profile.LOW_FN, 0.5).raw(), 0);
    }

    @Test
    void shouldDetectRecordsScoringAtLeastTheThreshold() {
        double[] a = new double[20];
        a[12] = 0.7;
        assertEquals(1, NabScorer.scoreFile(ONE_WINDOW, a, Profile.STANDARD, 0.7).tp());
        assertEquals(0, NabScorer.scoreFile(ONE_WINDOW, a, Profile.STANDARD, Math.nextUp(0.7)).tp());
    }

    @Test
    void shouldProbateFifteenPercentCappedAt750Records() {
        assertEquals(604, NabScorer.probation(4032)); // floor(604.8)
        assertEquals(169, NabScorer.probation(1127));
        assertEquals(750, NabScorer.probation(5000));
        assertEquals(750, NabScorer.probation(22695));
    }

    @Test
    void shouldChooseTheThresholdWithTheBestCorpusScore() {
        // file a: 0.9 at record 11 (in the window, position -0.8), 0.8 at 17 (3 after it: S(0.75)),
        // 0.7 at 5 (before it); file b (no window): 0.85 at record 8 (-fpWeight)
        double[] a = new double[20];
        a[11] = 0.9;
        a[17] = 0.8;
        a[5] = 0.7;
        NabSeries b = new NabSeries("a/none.csv", new double[20], List.of());
        double[] bs = new double[20];
        bs[8] = 0.85;
        double tp = s(-0.8) / s(-1);
        // thresholds, standard: 1.1 -> -1; 0.9 -> tp; 0.85 -> tp - .11; 0.8 -> tp - .11 + .11 S(.75);
        // 0.7 -> ... - .11; 0 -> every other record a false positive too
        CorpusScore c = NabScorer.score(List.of(ONE_WINDOW, b), List.of(a, bs), Profile.STANDARD);
        assertEquals(0.9, c.threshold());
        assertEquals(tp, c.raw(), 1e-12);
        assertEquals(-1.0, c.nullRaw());
        assertEquals(1.0, c.perfectRaw());
        assertEquals(100 * (tp + 1) / 2, c.normalized(), 1e-9);
        assertEquals(List.of(1, 0), c.files().stream().map(FileScore::tp).toList());
    }

    @Test
    void shouldPreferTheHigherThresholdOnATie() {
        // two detections inside the window: lowering the threshold from 0.9 to 0.6 adds nothing
        double[] a = new double[20];
        a[10] = 0.9;
        a[11] = 0.6;
        CorpusScore c = NabScorer.score(List.of(ONE_WINDOW), List.of(a), Profile.STANDARD);
        assertEquals(0.9, c.threshold());
        assertEquals(1.0, c.raw(), 1e-15);
    }

    @Test
    void shouldDetectEveryRecordAtThresholdZeroWhenThatScoresBest() {
        // scores 0 are candidates too: at threshold 0 all 17 scored records are detections, which on
        // this short file beats missing the window (1 - 7 * .11 + .11 * (S(.25) + ... + S(1.25)) > -1)
        double[] a = new double[20];
        a[5] = 0.9;
        CorpusScore c = NabScorer.score(List.of(ONE_WINDOW), List.of(a), Profile.STANDARD);
        assertEquals(0.0, c.threshold());
        double after = 0;
        for (int i = 15; i < 20; i++) {
            after += s((i - 14) / 4.0);
        }
        assertEquals(1 - 7 * 0.11 + 0.11 * after, c.raw(), 1e-12);
    }

    // 400 records, two windows of 10 and 20 records: detecting everything costs far more than missing both
    static final NabSeries LONG = new NabSeries("b/long.csv", new double[400], List.of(new Window(100, 109), new Window(250, 269)));

    @Test
    void shouldKeepNothingDetectedWhenEveryThresholdDoesWorse() {
        double[] a = new double[400];
        a[80] = 0.9; // a false positive only
        CorpusScore c = NabScorer.score(List.of(LONG), List.of(a), Profile.STANDARD);
        assertEquals(1.1, c.threshold());
        assertEquals(-2.0, c.raw());
        assertEquals(0.0, c.normalized(), 1e-12);
    }

    @Test
    void shouldScoreTheNullDetectorZeroAndWindowStartsOneHundred() {
        for (Profile p : Profile.ALL) {
            double[] constant = new double[400];
            java.util.Arrays.fill(constant, 0.5); // NAB's null detector: the same score for every record
            CorpusScore none = NabScorer.score(List.of(LONG), List.of(constant), p);
            assertEquals(0.0, none.normalized(), 1e-12, p.name());
            CorpusScore starts = NabScorer.score(List.of(LONG), List.of(firing(400, 100, 250)), p);
            assertEquals(100.0, starts.normalized(), 1e-12, p.name());
            assertEquals(1.0, starts.threshold());
            assertEquals(2, starts.files().get(0).tp());
        }
    }

    @Test
    void shouldRefuseScoresOfTheWrongLength() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> NabScorer.score(List.of(ONE_WINDOW), List.of(new double[19]), Profile.STANDARD));
        assertEquals("a/one.csv: 19 anomaly scores for 20 records", e.getMessage());
    }
}
