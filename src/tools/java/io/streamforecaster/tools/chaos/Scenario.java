package io.streamforecaster.tools.chaos;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/** One scenario of the fault matrix: its runs on real brokers it starts, and their figures. */
public interface Scenario {

    /** {@code S1} to {@code S7}. */
    String id();

    /** One line: what it breaks. */
    String title();

    /**
     * Runs it; brokers, services and logs live under {@code dir}, and everything started is
     * stopped before this returns, also on failure.
     */
    List<Figures> run(Path dir, PrintStream progress) throws Exception;
}
