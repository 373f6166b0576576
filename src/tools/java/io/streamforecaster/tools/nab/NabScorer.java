package io.streamforecaster.tools.nab;

import io.streamforecaster.tools.nab.NabCorpus.NabSeries;
import io.streamforecaster.tools.nab.NabCorpus.Window;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * NAB's scoring, as its sweeper and optimizer do it (numenta/NAB {@code nab/sweeper.py},
 * {@code nab/optimizer.py}, {@code nab/runner.py}; re-implemented here, not copied):
 *
 * <ul>
 *   <li>a record is a detection when its anomaly score is at least the threshold;
 *   <li>the first {@code min(floor(0.15 N), 750)} records of a file are its probation: not scored;
 *   <li>inside a window of {@code W} records ending at record {@code R}, a detection at record
 *       {@code i} is worth {@code tpWeight × S(-(R - i + 1) / W) / S(-1)}, S being the scaled
 *       sigmoid {@code 2 / (1 + e^(5x)) - 1} (-1 for x ≥ 3), so a detection at a window's first
 *       record earns exactly {@code tpWeight}; a window counts its best (earliest) detection only,
 *       and costs {@code fnWeight} when it has none;
 *   <li>a detection outside every window costs {@code fpWeight} before the first window, and
 *       {@code -fpWeight × S(|R - i| / (W - 1))} after one (R, W: the last window before it), so
 *       the cost grows with the distance from that window;
 *   <li>one threshold per profile for the whole corpus: the anomaly score, among those the
 *       detector gave, that maximises the corpus' summed raw score (the highest one on a tie),
 *       found by an exact sweep over all of them;
 *   <li>normalised: {@code 100 × (raw - raw_null) / (raw_perfect - raw_null)}, with
 *       {@code raw_null} the score of a detector that never fires ({@code -fnWeight} per window)
 *       and {@code raw_perfect = tpWeight} per window, the score of one that fires at the first
 *       record of every window.
 * </ul>
 *
 * <p>TP, FP, FN and TN count records (after the probation), as NAB's result files do: TP are the
 * detections inside windows, FN the window records that are not detections.
 */
public final class NabScorer {

    /** NAB's application profiles: how much a true positive, a false positive and a missed window weigh. */
    public record Profile(String name, double tpWeight, double fpWeight, double fnWeight) {

        public static final Profile STANDARD = new Profile("standard", 1.0, 0.11, 1.0);
        public static final Profile LOW_FP = new Profile("reward_low_FP_rate", 1.0, 0.22, 1.0);
        public static final Profile LOW_FN = new Profile("reward_low_FN_rate", 1.0, 0.11, 2.0);
        public static final List<Profile> ALL = List.of(STANDARD, LOW_FP, LOW_FN);

        /** The profile of that name (NAB's names). */
        public static Profile parse(String name) {
            for (Profile p : ALL) {
                if (p.name.equals(name)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("unknown profile '" + name + "'; profiles: standard, reward_low_FP_rate, reward_low_FN_rate");
        }
    }

    /** The share of each file that is its probation. */
    public static final double PROBATION = 0.15;

    /**
     * What one file scored at one threshold: the raw score, the record counts, and how many of its
     * windows had a detection.
     */
    public record FileScore(String file, double threshold, double raw, int tp, int tn, int fp, int fn, int windowsDetected) {

        public int total() {
            return tp + tn + fp + fn;
        }
    }

    /**
     * What a detector scored over a corpus for one profile.
     *
     * @param threshold the threshold the sweep chose
     * @param raw the corpus' raw score at that threshold
     * @param nullRaw the raw score of a detector that never fires
     * @param perfectRaw the raw score of one that fires at the first record of every window
     * @param files each file's score at that threshold, in corpus order
     */
    public record CorpusScore(Profile profile, double threshold, double raw, double nullRaw, double perfectRaw, List<FileScore> files) {

        /** NAB's normalised score: 0 for the null detector, 100 for the perfect one. */
        public double normalized() {
            return 100 * (raw - nullRaw) / (perfectRaw - nullRaw);
        }

        public String summary() {
            return String.format(Locale.ROOT, "%s: %.1f (raw %.3f, threshold %s)", profile.name(), normalized(), raw, threshold);
        }
    }

    private NabScorer() {
    }

    /** NAB's scaled sigmoid of a relative position in or after a window. */
    public static double scaledSigmoid(double position) {
        if (position >= 3.0) {
            return -1.0; // a false positive well after any window
        }
        return 2 * (1 / (1 + Math.exp(5 * position))) - 1.0;
    }

    /** The records of a file of {@code n} records that are its probation (not scored). */
    public static int probation(int n) {
        return (int) Math.min(Math.floor(PROBATION * n), PROBATION * 5000);
    }

    /** How NAB weighs a detection at each record of one file (unweighted by the profile). */
    static final class Layout {
        final int probation;
        /** The window a record lies in, or -1. */
        final int[] window;
        /** Inside a window: the scaled sigmoid of the record's position there; outside: of its distance after the last window (3: none). */
        final double[] sigmoid;

        Layout(int n, List<Window> windows) {
            probation = probation(n);
            window = new int[n];
            sigmoid = new double[n];
            Arrays.fill(window, -1);
            int w = 0;
            Window previous = null;
            for (int i = 0; i < n; i++) {
                Window current = w < windows.size() && windows.get(w).start() <= i ? windows.get(w) : null;
                if (current != null) {
                    window[i] = w;
                    sigmoid[i] = scaledSigmoid(-(current.end() - i + 1) / (double) current.length());
                    if (i == current.end()) {
                        previous = current;
                        w++;
                    }
                } else if (previous == null || previous.length() == 1) {
                    // NAB divides by (W - 1): a one-record window would divide by zero; treated as far away
                    sigmoid[i] = scaledSigmoid(3.0);
                } else {
                    sigmoid[i] = scaledSigmoid(Math.abs(previous.end() - i) / (double) (previous.length() - 1));
                }
            }
        }

        /** What a detection at record {@code i} adds under {@code p}: a window's reward, or a false positive's (negative) cost. */
        double weighted(int i, Profile p) {
            return window[i] >= 0 ? sigmoid[i] * p.tpWeight() / scaledSigmoid(-1.0) : sigmoid[i] * p.fpWeight();
        }
    }

    /** The points of a corpus that are scored, sorted by anomaly score, highest first (ties in corpus order). */
    private static final class Points {
        final double[] score;
        final int[] window; // corpus-wide window id, -1 outside windows
        final double[] value;
        final int[] file;
        final int windows;

        Points(List<NabSeries> series, List<double[]> scores, Profile p) {
            int count = 0;
            List<Layout> layouts = new ArrayList<>();
            for (int f = 0; f < series.size(); f++) {
                NabSeries s = series.get(f);
                if (scores.get(f).length != s.length()) {
                    throw new IllegalArgumentException(s.name() + ": " + scores.get(f).length + " anomaly scores for " + s.length() + " records");
                }
                Layout l = new Layout(s.length(), s.windows());
                layouts.add(l);
                count += Math.max(0, s.length() - l.probation);
            }
            Integer[] order = new Integer[count];
            double[] sc = new double[count];
            int[] win = new int[count];
            double[] val = new double[count];
            int[] fi = new int[count];
            int k = 0;
            int windowBase = 0;
            for (int f = 0; f < series.size(); f++) {
                Layout l = layouts.get(f);
                double[] a = scores.get(f);
                for (int i = l.probation; i < a.length; i++) {
                    if (Double.isNaN(a[i])) {
                        throw new IllegalArgumentException(series.get(f).name() + ": anomaly score of record " + i + " is NaN");
                    }
                    sc[k] = a[i];
                    win[k] = l.window[i] < 0 ? -1 : windowBase + l.window[i];
                    val[k] = l.weighted(i, p);
                    fi[k] = f;
                    order[k] = k;
                    k++;
                }
                windowBase += series.get(f).windows().size();
            }
            Arrays.sort(order, (x, y) -> Double.compare(sc[y], sc[x])); // stable: ties keep corpus order
            score = new double[count];
            window = new int[count];
            value = new double[count];
            file = new int[count];
            for (int j = 0; j < count; j++) {
                score[j] = sc[order[j]];
                window[j] = win[order[j]];
                value[j] = val[order[j]];
                file[j] = fi[order[j]];
            }
            windows = windowBase;
        }
    }

    /**
     * The running sum of NAB's score parts while the threshold is lowered: the false positives'
     * costs, and per window its best detection's reward or {@code -fnWeight}; summed in NAB's order
     * (false positives, then windows in the order they first appear), so that ties and totals agree
     * with NAB's to the last bit where the arithmetic does.
     */
    private static final class Parts {
        final double[] best;
        final boolean[] seen;
        final int[] order;
        int orderSize;
        double fp;
        int tp;
        int fpCount;

        Parts(Points points, Profile p) {
            best = new double[points.windows];
            seen = new boolean[points.windows];
            order = new int[points.windows];
            for (int j = 0; j < points.score.length; j++) {
                int w = points.window[j];
                if (w >= 0 && !seen[w]) {
                    seen[w] = true;
                    best[w] = -p.fnWeight();
                    order[orderSize++] = w;
                }
            }
        }

        void detect(Points points, int j) {
            int w = points.window[j];
            if (w < 0) {
                fp += points.value[j];
                fpCount++;
            } else {
                best[w] = Math.max(best[w], points.value[j]);
                tp++;
            }
        }

        double sum() {
            double s = fp;
            for (int i = 0; i < orderSize; i++) {
                s += best[order[i]];
            }
            return s;
        }
    }

    /** Scores {@code scores} (one array per series, one value per record) over the corpus, with the threshold chosen by the sweep. */
    public static CorpusScore score(List<NabSeries> series, List<double[]> scores, Profile profile) {
        Points points = new Points(series, scores, profile);
        double threshold = bestThreshold(points, profile);
        return at(series, scores, profile, threshold);
    }

    /** Scores {@code scores} over the corpus at a given threshold. */
    public static CorpusScore at(List<NabSeries> series, List<double[]> scores, Profile profile, double threshold) {
        List<FileScore> files = new ArrayList<>();
        double raw = 0;
        double nullRaw = 0;
        int windows = 0;
        for (int f = 0; f < series.size(); f++) {
            FileScore fs = scoreFile(series.get(f), scores.get(f), profile, threshold);
            files.add(fs);
            raw += fs.raw();
            nullRaw += scoreFile(series.get(f), new double[series.get(f).length()], profile, Double.POSITIVE_INFINITY).raw();
            windows += series.get(f).windows().size();
        }
        return new CorpusScore(profile, threshold, raw, nullRaw, windows * profile.tpWeight(), List.copyOf(files));
    }

    /**
     * NAB's sweep: lowers the threshold through every anomaly score the detector gave, highest
     * first, and keeps the one with the best corpus score (1.1, nothing detected, to start with).
     */
    static double bestThreshold(Points points, Profile profile) {
        Parts parts = new Parts(points, profile);
        double current = 1.1;
        double bestThreshold = current;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < points.score.length; j++) {
            if (points.score[j] != current) {
                double s = parts.sum();
                if (s > bestScore) {
                    bestScore = s;
                    bestThreshold = current;
                }
                current = points.score[j];
            }
            parts.detect(points, j);
        }
        if (parts.sum() > bestScore) {
            bestThreshold = current;
        }
        return bestThreshold;
    }

    /** One file's raw score and record counts when the records scoring at least {@code threshold} are detections. */
    public static FileScore scoreFile(NabSeries s, double[] scores, Profile profile, double threshold) {
        Points points = new Points(List.of(s), List.of(scores), profile);
        Parts parts = new Parts(points, profile);
        int j = 0;
        while (j < points.score.length && points.score[j] >= threshold) {
            parts.detect(points, j++);
        }
        int inWindows = 0;
        for (int k = 0; k < points.score.length; k++) {
            if (points.window[k] >= 0) {
                inWindows++;
            }
        }
        int outside = points.score.length - inWindows;
        int detected = 0;
        for (int w = 0; w < parts.orderSize; w++) {
            if (parts.best[parts.order[w]] > -profile.fnWeight()) {
                detected++;
            }
        }
        return new FileScore(s.name(), threshold, parts.sum(), parts.tp, outside - parts.fpCount, parts.fpCount, inWindows - parts.tp,
                detected);
    }
}
