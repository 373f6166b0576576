package io.streamforecaster.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The podman command line, as the image test drives it: each call returns its outcome as a value. */
final class Podman {

    private final Path executable;

    private Podman(Path executable) {
        this.executable = executable;
    }

    /** Podman from the PATH, or why it cannot run containers here (the image test then skips with that reason). */
    static Availability find() {
        Path exe = DeploymentFilesTest.onPath("podman");
        if (exe == null) {
            return new Availability(null, "podman is not on the PATH (Debian: apt-get install podman runc; .ci/run installs it as root)");
        }
        Podman podman = new Podman(exe);
        Result info = podman.run(Duration.ofMinutes(1), "info", "--format", "{{.Host.Security.Rootless}} {{.Host.CgroupsVersion}}");
        if (!info.ok()) {
            return new Availability(null, "podman cannot run here (podman info failed: " + info.tail() + ")");
        }
        return podman.unlessRootlessOnCgroupV1(info.stdout().strip());
    }

    /**
     * Podman without root sets no memory or CPU limit on cgroup v1 (hosts with hybrid cgroups, such
     * as these machines), and the test is about running under limits: there it needs root.
     */
    private Availability unlessRootlessOnCgroupV1(String rootlessAndCgroups) {
        if (rootlessAndCgroups.startsWith("true") && rootlessAndCgroups.endsWith("v1")) {
            return new Availability(null, "podman runs rootless on cgroup v1 here, where it cannot set the memory and CPU limits"
                    + " the test runs the image under; run the test as root (podman rootful), or on a host with cgroup v2");
        }
        return new Availability(this, null);
    }

    /** Podman, or the reason it is missing. */
    record Availability(Podman podman, String reason) {
        Optional<Podman> get() {
            return Optional.ofNullable(podman);
        }
    }

    /** Runs {@code podman args...}; a run past the timeout is killed and reported as exit code -1. */
    Result run(Duration timeout, String... args) {
        return run(timeout, null, List.of(args));
    }

    /** As {@link #run(Duration, String...)}, with the whole output also appended to {@code log} when not null. */
    Result run(Duration timeout, Path log, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(executable.toString());
        cmd.addAll(args);
        try {
            Path out = Files.createTempFile("podman-out", ".txt");
            Path err = Files.createTempFile("podman-err", ".txt");
            try {
                Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (!done) {
                    p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                }
                String stdout = Files.readString(out, StandardCharsets.UTF_8);
                String stderr = Files.readString(err, StandardCharsets.UTF_8);
                if (log != null) {
                    Files.createDirectories(log.toAbsolutePath().getParent());
                    Files.writeString(log, "$ podman " + String.join(" ", args) + "\n" + stdout + stderr,
                            StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                }
                return new Result(args, done ? p.exitValue() : -1, stdout, stderr);
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + cmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + cmd, e);
        }
    }

    /** Runs it and fails with podman's own message unless it exits with 0. */
    Result check(Duration timeout, String... args) {
        return run(timeout, args).orFail();
    }

    /** What one podman call did. */
    record Result(List<String> args, int exitCode, String stdout, String stderr) {

        boolean ok() {
            return exitCode == 0;
        }

        Result orFail() {
            if (!ok()) {
                throw new AssertionError("podman " + String.join(" ", args) + " exited with " + exitCode + ":\n" + tail());
            }
            return this;
        }

        /** The last lines of both outputs, for messages. */
        String tail() {
            String all = (stdout + "\n" + stderr).strip();
            String[] lines = all.split("\n");
            return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 25), lines.length));
        }
    }
}
