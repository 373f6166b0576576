package io.streamforecaster.tools.nab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code forecaster nab} end to end on small corpora: the service's step with LSTM refits, the
 * anomaly part and NAB's scoring, its cache, its repeatability and its errors.
 */
class NabCommandTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    @TempDir
    static Path dir;
    static Path corpus;

    /** Two generated series in NAB's layout: a spike, and a level shift, each in its window. */
    @BeforeAll
    static void writeCorpus() throws Exception {
        corpus = dir.resolve("corpus");
        Random r = new Random(7);
        double[] spike = new double[520];
        double[] shift = new double[520];
        for (int i = 0; i < 520; i++) {
            double daily = 5 * Math.sin(2 * Math.PI * i / 48);
            spike[i] = 50 + daily + r.nextGaussian();
            shift[i] = 20 + daily + r.nextGaussian() + (i >= 420 ? 12 : 0);
        }
        spike[460] += 25;
        ObjectNode labels = JSON.createObjectNode();
        write("synthetic/spike.csv", spike, 440, 480, labels);
        write("synthetic/shift.csv", shift, 400, 440, labels);
        Files.createDirectories(corpus.resolve("labels"));
        Files.writeString(corpus.resolve(NabCorpus.WINDOWS), JSON.writeValueAsString(labels));
    }

    static void write(String name, double[] x, int from, int to, ObjectNode labels) throws Exception {
        LocalDateTime t0 = LocalDateTime.of(2024, 1, 1, 0, 0);
        List<String> lines = new ArrayList<>(List.of("timestamp,value"));
        for (int i = 0; i < x.length; i++) {
            lines.add(t0.plusMinutes(30L * i).format(TIME) + "," + x[i]);
        }
        Path file = corpus.resolve("data").resolve(name);
        Files.createDirectories(file.getParent());
        Files.write(file, lines);
        labels.putArray(name).addArray().add(t0.plusMinutes(30L * from).format(TIME) + ".000000")
                .add(t0.plusMinutes(30L * to).format(TIME) + ".000000");
    }

    record Run(JsonNode json, String err) {
    }

    static Run nab(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Nab.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, status);
        return new Run(JSON.readTree(out.toString(StandardCharsets.UTF_8)), err.toString(StandardCharsets.UTF_8));
    }

    /** The figures of a run, without its timing. */
    static JsonNode figures(Run r) {
        ObjectNode copy = r.json().deepCopy();
        copy.remove("forecastSeconds");
        return copy;
    }

    @Test
    void shouldFindBothAnomaliesWithTheLstmAndGiveTheSameFiguresColdOrCached() throws Exception {
        Path cache = dir.resolve("cache");
        Run cold = nab("--corpus", corpus.toString(), "--json", "--cache", cache.toString(), "--no-cache");
        JsonNode standard = cold.json().get("profiles").get(0);
        assertEquals("standard", standard.get("profile").asText());
        assertEquals(2, standard.get("windowsDetected").asInt(), cold.json().toPrettyString());
        assertTrue(standard.get("score").asDouble() > 80, cold.json().toPrettyString());
        assertEquals(3, cold.json().get("profiles").size());
        assertTrue(cold.err().contains("refits"), cold.err());
        assertTrue(cold.json().get("forecasts").asText().startsWith("lstm-"));

        Run cached = nab("--corpus", corpus.toString(), "--json", "--cache", cache.toString());
        assertTrue(cached.err().contains("(cached)"), cached.err());
        assertEquals(figures(cold), figures(cached));

        // a second cold run of one file: the same forecasts, so the same figures
        Path other = dir.resolve("other-cache");
        Run again = nab("--corpus", corpus.toString(), "--json", "--only", "synthetic/spike.csv", "--cache", other.toString());
        Run first = nab("--corpus", corpus.toString(), "--json", "--only", "synthetic/spike.csv", "--cache", cache.toString());
        assertTrue(first.err().contains("(cached)") && !again.err().contains("(cached)"), again.err());
        assertEquals(figures(first), figures(again));
    }

    @Test
    void shouldScoreOneProfileAndTheFilesAskedFor() throws Exception {
        Run r = nab("--corpus", corpus.toString(), "--json", "--forecasts", "naive", "--profile", "reward_low_FN_rate",
                "--only", "synthetic/shift.csv", "--cache", dir.resolve("naive-cache").toString());
        assertEquals(1, r.json().get("profiles").size());
        JsonNode p = r.json().get("profiles").get(0);
        assertEquals("reward_low_FN_rate", p.get("profile").asText());
        assertEquals(1, p.get("files").size());
        assertEquals("synthetic/shift.csv", p.get("files").get(0).get("file").asText());
        assertEquals(-2.0, p.get("null").asDouble()); // one window, fnWeight 2
    }

    @Test
    void shouldRefuseWrongOptionsWithAMessageThatSaysWhy() {
        assertEquals("option --corpus is required", fails());
        assertEquals("unknown profile 'strict'; profiles: standard, reward_low_FP_rate, reward_low_FN_rate",
                fails("--corpus", corpus.toString(), "--profile", "strict"));
        assertEquals("the corpus has no file synthetic/none.csv (names as in labels/combined_windows.json)",
                fails("--corpus", corpus.toString(), "--only", "synthetic/none.csv"));
        assertTrue(fails("--corpus", corpus.toString(), "--set", "forecaster.anomaly.threshold=0.2")
                .startsWith("Invalid forecaster.anomaly.threshold = 0.2"));
        assertTrue(fails("--corpus", corpus.toString(), "--set", "forecaster.anomaly.sensitivity=3")
                .startsWith("unknown setting forecaster.anomaly.sensitivity"));
        assertTrue(fails("--corpus", dir.toString()).startsWith("corpus " + dir + " has no labels/combined_windows.json"));
        assertEquals("--forecasts takes lstm or naive, got 'arima'", fails("--corpus", corpus.toString(), "--forecasts", "arima"));
        assertEquals("unknown option '--fast'", fails("--corpus", corpus.toString(), "--fast"));
    }

    static String fails(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> Nab.run(args, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream()))).getMessage();
    }

    /** A slice of the shared corpus, its short files, with the naive forecasts a key serves before its first model. */
    @Test
    void shouldRunASliceOfTheSharedCorpus() throws Exception {
        Path nab = Path.of(System.getProperty("forecaster.datasets", "../shared/datasets")).resolve("nab");
        Assumptions.assumeTrue(Files.isDirectory(nab), "NabCommandTest: " + nab + " is absent; the slice of the shared corpus is skipped");
        String slice = "realAdExchange/exchange-3_cpc_results.csv,realAdExchange/exchange-4_cpm_results.csv,realTraffic/speed_7578.csv";
        Run r = nab("--corpus", nab.toString(), "--json", "--forecasts", "naive", "--only", slice, "--cache", dir.resolve("slice").toString());
        JsonNode standard = r.json().get("profiles").get(0);
        assertEquals(3, standard.get("files").size());
        assertEquals(-11.0, standard.get("null").asDouble()); // 3 + 4 + 4 windows
        JsonNode speed = standard.get("files").get(2);
        assertEquals(1127 - NabScorer.probation(1127), speed.get("tp").asInt() + speed.get("fp").asInt() + speed.get("fn").asInt()
                + speed.get("tn").asInt());
        assertTrue(standard.get("windowsDetected").asInt() >= 8, standard.toString()); // of 11
        assertTrue(r.json().get("published").size() > 0);
    }
}
