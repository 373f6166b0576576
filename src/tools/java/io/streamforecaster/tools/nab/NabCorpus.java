package io.streamforecaster.tools.nab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A corpus in NAB's layout: {@code data/<category>/<file>.csv} ({@code timestamp,value}) and
 * {@code labels/combined_windows.json}, which maps each scored file to its anomaly windows (first
 * and last timestamp, both inside the window). As in NAB, the files scored are those the labels
 * name, in the labels' order; data files the labels do not name are left out.
 */
public record NabCorpus(Path root, List<NabSeries> series) {

    /** The labels file, relative to the corpus root. */
    public static final String WINDOWS = "labels/combined_windows.json";

    /**
     * One labelled file.
     *
     * @param name its path under {@code data/}, as NAB names it ({@code realKnownCause/nyc_taxi.csv})
     * @param values its values, in file order
     * @param windows its anomaly windows as record indices, in time order
     */
    public record NabSeries(String name, double[] values, List<Window> windows) {

        public int length() {
            return values.length;
        }
    }

    /** An anomaly window: records {@code start..end}, both included. */
    public record Window(int start, int end) {

        public Window {
            if (start < 0 || end < start) {
                throw new IllegalArgumentException("Invalid window [" + start + ", " + end + "]");
            }
        }

        public int length() {
            return end - start + 1;
        }
    }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSSSSS]");

    /** Reads the corpus at {@code root}, failing with a message that names what is missing or malformed. */
    public static NabCorpus read(Path root) throws IOException {
        return read(root, null);
    }

    /** Reads the files of the corpus at {@code root} that {@code only} names (all when null), in the labels' order. */
    public static NabCorpus read(Path root, List<String> only) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("corpus " + root + " is not a directory");
        }
        Path labels = root.resolve(WINDOWS);
        if (!Files.isReadable(labels)) {
            throw new IllegalArgumentException("corpus " + root + " has no " + WINDOWS + " (NAB layout: data/<category>/*.csv and "
                    + WINDOWS + ")");
        }
        JsonNode json;
        try {
            json = new ObjectMapper().readTree(labels.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(labels + " is not valid JSON: " + e.getMessage(), e);
        }
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException(labels + " must hold an object mapping files to windows");
        }
        java.util.Set<String> wanted = only == null ? null : new java.util.LinkedHashSet<>(only);
        List<NabSeries> series = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
            var entry = it.next();
            if (wanted == null || wanted.remove(entry.getKey())) {
                series.add(readSeries(root, entry.getKey(), entry.getValue()));
            }
        }
        if (wanted != null && !wanted.isEmpty()) {
            throw new IllegalArgumentException("the corpus has no file " + String.join(", ", wanted) + " (names as in " + WINDOWS + ")");
        }
        if (series.isEmpty()) {
            throw new IllegalArgumentException(labels + " names no files");
        }
        return new NabCorpus(root, List.copyOf(series));
    }

    private static NabSeries readSeries(Path root, String name, JsonNode windows) throws IOException {
        Path file = root.resolve("data").resolve(name);
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException(WINDOWS + " names " + name + ", but " + file + " cannot be read");
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<LocalDateTime> times = new ArrayList<>(lines.size());
        double[] values = new double[Math.max(0, lines.size() - 1)];
        int n = 0;
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            int comma = line.indexOf(',');
            if (comma < 0) {
                throw new IOException(file + " line " + (i + 1) + ": expected timestamp,value");
            }
            times.add(time(line.substring(0, comma), file + " line " + (i + 1)));
            try {
                values[n++] = Double.parseDouble(line.substring(comma + 1).strip());
            } catch (NumberFormatException e) {
                throw new IOException(file + " line " + (i + 1) + ": '" + line.substring(comma + 1) + "' is not a number", e);
            }
        }
        if (n == 0) {
            throw new IOException(file + " has no records");
        }
        Map<LocalDateTime, Integer> index = new HashMap<>();
        for (int i = times.size() - 1; i >= 0; i--) {
            index.put(times.get(i), i); // the first record of a repeated timestamp, as NAB's list.index
        }
        if (windows == null || !windows.isArray()) {
            throw new IllegalArgumentException(WINDOWS + ": the windows of " + name + " must be a list of [start, end] pairs");
        }
        List<Window> out = new ArrayList<>();
        for (JsonNode w : windows) {
            if (!w.isArray() || w.size() != 2) {
                throw new IllegalArgumentException(WINDOWS + ": window " + w + " of " + name + " is not a [start, end] pair");
            }
            int start = position(index, w.get(0).asText(), name);
            int end = position(index, w.get(1).asText(), name);
            Window window = new Window(start, end);
            if (!out.isEmpty() && start <= out.get(out.size() - 1).end()) {
                throw new IllegalArgumentException(WINDOWS + ": windows of " + name + " overlap or are out of order at " + w);
            }
            out.add(window);
        }
        return new NabSeries(name, n == values.length ? values : java.util.Arrays.copyOf(values, n), List.copyOf(out));
    }

    private static int position(Map<LocalDateTime, Integer> index, String text, String name) {
        Integer i = index.get(time(text, WINDOWS + " (" + name + ")"));
        if (i == null) {
            throw new IllegalArgumentException(WINDOWS + ": window limit " + text + " of " + name + " is not a timestamp of the file");
        }
        return i;
    }

    private static LocalDateTime time(String text, String where) {
        try {
            return LocalDateTime.parse(text.strip(), TIME);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(where + ": '" + text + "' is not a timestamp (yyyy-MM-dd HH:mm:ss)", e);
        }
    }

    /** The number of anomaly windows over all files. */
    public int windows() {
        return series.stream().mapToInt(s -> s.windows().size()).sum();
    }
}
