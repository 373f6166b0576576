package io.streamforecaster.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The scheduling priority (Linux's nice, 0 to 19) of the calling thread. Java has no API for it and
 * ignores thread priorities on Linux unless the JVM runs with a flag that only root may use fully:
 * a thread lowers its own with {@code renice} on its task id ({@code /proc/thread-self}), which any
 * user may do for their own threads. Elsewhere, or without {@code renice}, the thread keeps its priority.
 */
public final class Nice {

    private static final Path SELF = Path.of("/proc/thread-self");

    private Nice() {
    }

    /** What became of a request to lower the calling thread's priority. */
    public record Outcome(boolean lowered, int nice, String detail) {
    }

    /** The calling thread's nice value, or null where it cannot be read (not Linux). */
    public static Integer ofCurrentThread() {
        try {
            String stat = Files.readString(SELF.resolve("stat"));
            // "tid (comm) state ppid ...": comm may hold spaces and parentheses; nice is the 19th field
            String[] after = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            return Integer.parseInt(after[16]);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Sets the calling thread's nice value to {@code nice} (1 to 19) if it is 0 now: a process
     * started with a nice value of its own keeps it, as its operator chose.
     */
    public static Outcome lowerCurrentThread(int nice) {
        if (nice < 1 || nice > 19) {
            throw new IllegalArgumentException("nice must be 1 to 19: " + nice);
        }
        Integer now = ofCurrentThread();
        if (now == null) {
            return new Outcome(false, 0, "no /proc/thread-self (not Linux): the thread keeps its priority");
        }
        if (now != 0) {
            return new Outcome(false, now, "the process runs at nice " + now + " already: kept");
        }
        try {
            String tid = Files.readSymbolicLink(SELF).getFileName().toString();
            Process p = new ProcessBuilder("renice", "-n", Integer.toString(nice), "-p", tid).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return new Outcome(false, now, "renice failed: " + out);
            }
            Integer after = ofCurrentThread();
            return after != null && after == nice ? new Outcome(true, nice, "nice " + nice)
                    : new Outcome(false, after == null ? now : after, "renice left the thread at nice " + after);
        } catch (IOException e) {
            return new Outcome(false, now, "renice is not available (" + e.getMessage() + "): the thread keeps its priority");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(false, now, "interrupted");
        }
    }
}
