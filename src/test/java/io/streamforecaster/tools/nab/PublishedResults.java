package io.streamforecaster.tools.nab;

import io.streamforecaster.tools.nab.NabScorer.Profile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** NAB's published per-file results ({@code results/<detector>/<detector>_<profile>_scores.csv}). */
final class PublishedResults {

    record Row(String file, double threshold, double raw, int tp, int tn, int fp, int fn) {

        List<Integer> counts() {
            return List.of(tp, tn, fp, fn);
        }
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
            rows.put(c[2], new Row(c[2], Double.parseDouble(c[3]), Double.parseDouble(c[4]), Integer.parseInt(c[5]),
                    Integer.parseInt(c[6]), Integer.parseInt(c[7]), Integer.parseInt(c[8])));
        }
        return rows;
    }
}
