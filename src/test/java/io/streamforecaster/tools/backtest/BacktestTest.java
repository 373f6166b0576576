package io.streamforecaster.tools.backtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BacktestTest {

    @TempDir
    Path dir;

    Path csv(String name, int points) throws Exception {
        StringBuilder s = new StringBuilder("timestamp,value\n");
        for (int i = 0; i < points; i++) {
            s.append(i).append(',').append(50 + 10 * Math.sin(i / 4.0) + (i % 3)).append('\n');
        }
        Path file = dir.resolve(name + ".csv");
        Files.writeString(file, s);
        return file;
    }

    @Test
    void shouldScoreAShortSeriesAsTheServiceServesItAndNeverAbortTheRun() throws Exception {
        Path tiny = csv("tiny", 2); // nothing to score
        Path shortSeries = csv("short", 30); // warm-up 10: fewer points than a model needs at the first refit
        Path normal = csv("normal", 120);
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();

        int status = Backtest.run(new String[] {"--json", "--variant", "vanilla", "--threads", "2",
                "--set", "forecaster.training.epochs=1,forecaster.training.warm-start-epochs=1",
                tiny.toString(), shortSeries.toString(), normal.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

        assertEquals(1, status, "one series could not be scored");
        Map<String, List<JsonNode>> bySeries = new HashMap<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            JsonNode n = new ObjectMapper().readTree(line);
            bySeries.computeIfAbsent(n.get("series").asText(), k -> new ArrayList<>()).add(n);
        }
        assertTrue(bySeries.get("tiny").get(0).has("error"), "the series too short to score is named with the reason");
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("tiny (2 points) cannot be scored"), err.toString());
        JsonNode shortLstm = bySeries.get("short").stream().filter(n -> n.get("model").asText().equals("lstm-vanilla")).findFirst().orElseThrow();
        assertEquals(1.0, shortLstm.get("mase").asDouble(), 1e-9, "served naive until a model could be trained");
        assertEquals(2, bySeries.get("normal").size(), "the other series are scored as usual: naive and the LSTM");
    }
}
