package io.streamforecaster.tools;

import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.tools.TrainingBenchmark.Key;
import java.util.List;

final class TrainingProfile {
    private TrainingProfile() {
    }

    static void run(StreamSettings defaults, List<Key> keys) {
    }
}
