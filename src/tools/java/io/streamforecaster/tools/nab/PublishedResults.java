package io.streamforecaster.tools.nab;

import io.streamforecaster.tools.nab.NabScorer.CorpusScore;
import io.streamforecaster.tools.nab.NabScorer.Profile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * NAB's published per-file results ({@code results/<detector>/<detector>_<profile>_scores.csv}:
 * file, threshold, raw score, TP/TN/FP/FN), and their normalised score over a corpus' files.
 */
final class PublishedResults {

    /** One file's published result. */
    record Row(String file, double threshold, double raw, int tp, int tn, int fp, int fn) {

        List<Integer> counts() {
            return List.of(tp, tn, fp, fn);
        }
    }

    /**
     * A published detector's score over the corpus' files, normalised as ours.
     *
     * @param files how many of the corpus' files it has results for (it is only comparable when all)
     */
    record Normalised(String detector, Profile profile, double score, int files) {
    }

    private PublishedResults() {
    }

    /** The rows of one detector and profile by file, without the totals row. */
    static Map<String, Row> read(Path corpus, String detector, Profile p) throws IOException {
        Path file = corpus.resolve("results").resolve(detector).resolve(detector + "_" + p.name() + "_scores.csv");
        Map<String, Row> rows = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(file);
        for (String line : lines.subList(1, lines.size())) {
            String[] c = line.split(",", -1);
            if (c[0].equals("Totals")) {
                continue;
            }
            try {
                rows.put(c[2], new Row(c[2], Double.parseDouble(c[3]), Double.parseDouble(c[4]), Integer.parseInt(c[5]),
                        Integer.parseInt(c[6]), Integer.parseInt(c[7]), Integer.parseInt(c[8])));
            } catch (RuntimeException e) {
                throw new IOException(file + ": cannot read the row '" + line + "'", e);
            }
        }
        return rows;
    }

    /** The detectors with results in {@code corpus/results}, by name. */
    static List<String> detectors(Path corpus) throws IOException {
        Path results = corpus.resolve("results");
        if (!Files.isDirectory(results)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(results)) {
            return dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * Each published detector's score over the files {@code ours} was scored on, normalised with
     * the same null and perfect scores; a detector without results for one of those files is
     * reported with the number it has, and its score over those only.
     */
    static List<Normalised> normalise(Path corpus, List<CorpusScore> ours) throws IOException {
        List<Normalised> out = new ArrayList<>();
        for (String detector : detectors(corpus)) {
            for (CorpusScore c : ours) {
                Path file = corpus.resolve("results").resolve(detector).resolve(detector + "_" + c.profile().name() + "_scores.csv");
                if (!Files.isReadable(file)) {
                    continue;
                }
                Map<String, Row> rows = read(corpus, detector, c.profile());
                double raw = 0;
                int files = 0;
                for (NabScorer.FileScore f : c.files()) {
                    Row r = rows.get(f.file());
                    if (r != null) {
                        raw += r.raw();
                        files++;
                    }
                }
                out.add(new Normalised(detector, c.profile(), 100 * (raw - c.nullRaw()) / (c.perfectRaw() - c.nullRaw()), files));
            }
        }
        return out;
    }
}
