package io.streamforecaster.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The JDK's {@code jcmd} against another JVM, bounded in time. */
public final class Jcmd {

    /** Whether jcmd ended well in time, and what it printed (stdout and stderr). */
    public record Result(boolean ok, String output) {
    }

    private Jcmd() {
    }

    /** Runs {@code jcmd PID ARGS...}; a jcmd still running after {@code timeout} is killed and the result is not ok. */
    public static Result run(long pid, Duration timeout, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        command.add(Long.toString(pid));
        command.addAll(List.of(args));
        Path out = null;
        try {
            out = Files.createTempFile("jcmd-", ".txt");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return new Result(false, "jcmd did not end within " + timeout);
            }
            String output = Files.readString(out, StandardCharsets.UTF_8);
            return new Result(p.exitValue() == 0, output);
        } catch (IOException e) {
            return new Result(false, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(false, "interrupted");
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException e) {
                    // a temporary file left behind
                }
            }
        }
    }
}
