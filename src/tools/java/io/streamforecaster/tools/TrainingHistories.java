package io.streamforecaster.tools;

import io.streamforecaster.tools.TrainingBenchmark.Key;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The histories the training benchmark trains on: real series read where they lie, or generated ones. */
final class TrainingHistories {

    private TrainingHistories() {
    }

    /**
     * {@code keys} histories of {@code size} observations and the {@code later} ones after each:
     * taken round-robin from the shared series long enough, at spread-out positions; from
     * {@link SeriesGenerator} when {@code dir} does not exist.
     */
    static List<Key> load(Path dir, int keys, int size, int later) throws IOException {
        List<CsvSeries> series = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".csv")).sorted().toList()) {
                    CsvSeries s = CsvSeries.read(f, null);
                    if (s.values().length >= size + later) {
                        series.add(s);
                    }
                }
            }
        }
        List<Key> out = new ArrayList<>();
        if (series.isEmpty()) {
            System.out.println("(" + dir + " not found or without long series: generated series instead)");
            SeriesGenerator g = new SeriesGenerator(keys, 11);
            for (int k = 0; k < keys; k++) {
                double[][] rows = new double[size + later][];
                for (int i = 0; i < rows.length; i++) {
                    rows[i] = new double[] {g.next(k)};
                }
                out.add(split(g.key(k), rows, 0, size, later));
            }
            return out;
        }
        int perSeries = (keys + series.size() - 1) / series.size();
        for (int k = 0; k < keys; k++) {
            CsvSeries s = series.get(k % series.size());
            int j = k / series.size();
            double[] v = s.values();
            int start = (int) ((long) (v.length - size - later) * (j + 1) / (perSeries + 1));
            double[][] rows = new double[v.length][];
            for (int i = 0; i < v.length; i++) {
                rows[i] = new double[] {v[i]};
            }
            out.add(split(s.name() + "@" + start, rows, start, size, later));
        }
        return out;
    }

    private static Key split(String name, double[][] rows, int start, int size, int later) {
        double[][] history = new double[size][];
        double[][] next = new double[later][];
        System.arraycopy(rows, start, history, 0, size);
        System.arraycopy(rows, start + size, next, 0, later);
        return new Key(name, history, next);
    }

    static String describe(List<Key> keys) {
        Map<String, Integer> count = new LinkedHashMap<>();
        for (Key k : keys) {
            count.merge(k.name().replaceFirst("@.*", ""), 1, Integer::sum);
        }
        return count.toString();
    }
}
