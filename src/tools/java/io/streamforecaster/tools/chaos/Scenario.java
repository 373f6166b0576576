package io.streamforecaster.tools.chaos;

import java.util.List;

/** One scenario of the fault matrix: its runs on real brokers, and their figures. */
public interface Scenario {

    /** {@code S1} to {@code S7}. */
    String id();

    /** One line: what it breaks. */
    String title();

    /** Kafka nodes the scenario needs. */
    default int brokers() {
        return 1;
    }

    /**
     * Runs it on the lab's brokers (runs have topics and application ids of their own, so
     * scenarios can share a lab); the services it starts are stopped before this returns, also on
     * failure.
     */
    List<Figures> run(Lab lab) throws Exception;
}
