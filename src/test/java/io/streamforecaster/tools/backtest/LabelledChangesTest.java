package io.streamforecaster.tools.backtest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelledChangesTest {

    @Test
    void labelsBecomeIndexesIntoTheKeptTailOfTheFile(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("machine_failure.csv");
        Files.write(csv, List.of("timestamp,value", "2014-01-01 00:00:00,1", "2014-01-01 01:00:00,2", "2014-01-01 02:00:00,3",
                "2014-01-01 03:00:00,4", "2014-01-01 04:00:00,5"));
        Path labels = dir.resolve("labels.json");
        Files.writeString(labels, """
                {"realKnownCause/machine_failure.csv": ["2014-01-01 00:00:00", "2014-01-01 03:00:00.000000", "2014-01-01 02:00:00"],
                 "other/elsewhere.csv": ["2014-01-01 01:00:00"]}
                """);
        // Of the last 4 points (01:00..04:00), 02:00 is index 1 and 03:00 index 2; 00:00 was cut off.
        assertArrayEquals(new int[] {1, 2}, LabelledChanges.of(labels, csv, 4));
        assertArrayEquals(new int[0], LabelledChanges.of(labels, dir.resolve("unlabelled.csv"), 4));
        assertArrayEquals(new int[0], LabelledChanges.of(dir.resolve("absent.json"), csv, 4));
    }

    @Test
    void theSharedFailureSeriesHaveTheirLabelledFailuresInTheProtocolsPoints() throws Exception {
        Path datasets = Path.of(System.getProperty("forecaster.datasets", "../shared/datasets"));
        Assumptions.assumeTrue(Files.isDirectory(datasets.resolve("nab/labels")), datasets + " is absent: skipping the shared NAB labels");
        Path labels = datasets.resolve("nab/labels/combined_labels.json");
        // ambient: both labels lie in the last 4,096 hours; machine: only the last of its four does.
        assertEquals(2, LabelledChanges.of(labels, datasets.resolve("ambient_temperature_system_failure.csv"), 4096).length);
        int[] machine = LabelledChanges.of(labels, datasets.resolve("machine_temperature_system_failure.csv"), 4096);
        assertEquals(1, machine.length, java.util.Arrays.toString(machine));
    }
}
