package io.streamforecaster.tools.chaos;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * A delay the chaos runs choose on purpose: the random moment of a fault, or a producer's pacing.
 * Never a wait for a result; those poll a condition with a deadline (Awaitility).
 */
final class Pause {

    private Pause() {
    }

    static void of(Duration d) {
        long end = System.nanoTime() + d.toNanos();
        long left;
        while ((left = end - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
        }
    }
}
