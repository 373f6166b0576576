package io.streamforecaster.tools.backtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The points where a shared NAB series changes, from NAB's own labels ({@code nab/labels/combined_labels.json}
 * of the shared datasets): each labelled anomaly's timestamp, as an index into the points the
 * backtest protocol keeps of the file (its last {@link Protocol#MAX_POINTS}). The series that end in a
 * failure are the ones whose recovery after a change says something about retraining.
 */
final class LabelledChanges {

    private LabelledChanges() {
    }

    /**
     * The labelled points of {@code csv} (a {@code timestamp,value} file) that fall among the
     * {@code kept} last points, as indexes into them; empty when the labels do not name the file.
     */
    static int[] of(Path labels, Path csv, int kept) throws IOException {
        if (!Files.isRegularFile(labels)) {
            return new int[0];
        }
        JsonNode all = new ObjectMapper().readTree(labels.toFile());
        String file = "/" + csv.getFileName();
        List<String> stamps = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = all.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().endsWith(file)) {
                e.getValue().forEach(n -> stamps.add(n.asText()));
            }
        }
        if (stamps.isEmpty()) {
            return new int[0];
        }
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        List<String> times = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (!line.isBlank()) {
                times.add(line.substring(0, line.indexOf(',')).strip());
            }
        }
        int first = Math.max(0, times.size() - kept);
        List<Integer> out = new ArrayList<>();
        for (String s : stamps) {
            // NAB's labels and files use the same "yyyy-MM-dd HH:mm:ss" form; a label may carry fractions.
            String label = s.length() > 19 ? s.substring(0, 19) : s;
            int i = times.indexOf(label);
            if (i >= first) {
                out.add(i - first);
            }
        }
        return out.stream().mapToInt(Integer::intValue).sorted().toArray();
    }
}
