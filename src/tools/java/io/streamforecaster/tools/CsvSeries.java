package io.streamforecaster.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One numeric column of a CSV file in the formats of the public series we test on: NAB
 * ({@code timestamp,value}, LF) and jbrownlee (quoted header and labels, CRLF, no final newline),
 * and several value columns as in ETTh1.
 */
public record CsvSeries(String name, String column, double[] values) {

    /** Reads {@code column}, or the last column when null. */
    public static CsvSeries read(Path file, String column) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            throw new IOException(file + " is empty");
        }
        String[] header = split(lines.get(0));
        int index = header.length - 1;
        if (column != null) {
            index = -1;
            for (int i = 0; i < header.length; i++) {
                if (header[i].equals(column)) {
                    index = i;
                }
            }
            if (index < 0) {
                throw new IOException(file + " has no column '" + column + "'; columns: " + String.join(", ", header));
            }
        }
        List<Double> values = new ArrayList<>();
        for (int n = 1; n < lines.size(); n++) {
            String line = lines.get(n).strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] cells = split(line);
            if (cells.length <= index) {
                throw new IOException(file + " line " + (n + 1) + " has " + cells.length + " cells, needs " + (index + 1));
            }
            try {
                values.add(Double.parseDouble(cells[index]));
            } catch (NumberFormatException e) {
                throw new IOException(file + " line " + (n + 1) + ": '" + cells[index] + "' is not a number", e);
            }
        }
        String name = file.getFileName().toString().replaceFirst("\\.csv$", "");
        return new CsvSeries(name, header[index], values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static String[] split(String line) {
        String[] cells = line.split(",", -1);
        for (int i = 0; i < cells.length; i++) {
            String c = cells[i].strip();
            if (c.length() >= 2 && c.startsWith("\"") && c.endsWith("\"")) {
                c = c.substring(1, c.length() - 1);
            }
            cells[i] = c;
        }
        return cells;
    }
}
