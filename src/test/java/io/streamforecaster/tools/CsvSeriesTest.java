package io.streamforecaster.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvSeriesTest {

    @TempDir
    Path dir;

    Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    @Test
    void shouldReadTheJbrownleeFormatWithQuotesCrlfAndNoFinalNewline() throws Exception {
        CsvSeries s = CsvSeries.read(write("airline.csv", "\"Month\",\"Passengers\"\r\n\"1949-01\",112\r\n\"1949-02\",118"), null);
        assertEquals("airline", s.name());
        assertEquals("Passengers", s.column());
        assertArrayEquals(new double[] {112, 118}, s.values());
    }

    @Test
    void shouldReadTheNabFormatAndANamedColumnOfSeveral() throws Exception {
        assertArrayEquals(new double[] {73.96, 74.9}, CsvSeries.read(
                write("nab.csv", "timestamp,value\n2013-12-02 21:15:00,73.96\n2013-12-02 21:20:00,74.9\n"), null).values());
        Path ett = write("ett.csv", "date,HUFL,OT\n2016-07-01 00:00:00,5.8,30.5\n2016-07-01 01:00:00,5.6,27.7\n");
        assertArrayEquals(new double[] {5.8, 5.6}, CsvSeries.read(ett, "HUFL").values());
        assertThrows(IOException.class, () -> CsvSeries.read(ett, "nope"));
    }
}
