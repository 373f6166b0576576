package io.streamforecaster.tools;

import io.streamforecaster.model.TrainingEngine;
import java.nio.file.Path;
import java.util.List;

final class NewKeysRun {
    private NewKeysRun() {
    }

    static void run(int keys, List<TrainingEngine> engines, Path data) {
    }
}
