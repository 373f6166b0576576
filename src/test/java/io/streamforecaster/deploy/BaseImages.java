package io.streamforecaster.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.opentest4j.TestAbortedException;

/**
 * The base images docker/Dockerfile is built on in the image test, made here because no container
 * registry is reachable: Debian bookworm from debootstrap, with Debian's OpenJDK 17 (the runtime
 * base) and with its JDK and Maven as well (the build base). The host's extra certificate
 * authorities go in, as behind a company proxy, so that Maven in a {@code RUN} step reaches Maven
 * Central over HTTPS. The images stay in podman's store, tagged with a hash of this recipe: a
 * later run on the same machine finds them, a changed recipe makes new ones.
 */
final class BaseImages {

    static final String SUITE = "bookworm";
    static final String REPOSITORY = "localhost/stream-forecaster-base";
    /** Where Debian and the usual distributions keep extra CAs the host trusts. */
    static final Path HOST_CAS = Path.of("/usr/local/share/ca-certificates");

    static final String RUNTIME_RECIPE = """
            FROM %s
            COPY ca/ /usr/local/share/ca-certificates/
            RUN apt-get update \\
             && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates openjdk-17-jre-headless \\
             && update-ca-certificates \\
             && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb
            """;
    static final String BUILD_RECIPE = """
            FROM %s
            RUN apt-get update \\
             && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openjdk-17-jdk-headless maven \\
             && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb
            """;

    private BaseImages() {
    }

    /** The two bases, whether they were found in podman's store or made now, and how long that took. */
    record Outcome(String buildImage, String runtimeImage, boolean fromCache, Duration took) {
    }

    /**
     * The bases for this recipe, made when podman does not hold them yet.
     *
     * @param work a scratch directory (the Debian tree is made and removed in it)
     * @param log  where debootstrap's and podman's output go
     * @throws TestAbortedException when they must be made and cannot be (no debootstrap, not root)
     */
    static Outcome ensure(Podman podman, Path work, Path log) throws IOException, InterruptedException {
        long start = System.nanoTime();
        String tag = tag();
        // Debian itself does not change with the recipes: made once per machine
        String debian = REPOSITORY + "/debian:" + SUITE;
        String runtime = REPOSITORY + "/jre:17-" + tag;
        String build = REPOSITORY + "/maven:17-" + tag;
        if (exists(podman, runtime) && exists(podman, build)) {
            return new Outcome(build, runtime, true, Duration.ofNanos(System.nanoTime() - start));
        }
        Path debootstrap = DeploymentFilesTest.onPath("debootstrap");
        if (debootstrap == null) {
            debootstrap = Files.isExecutable(Path.of("/usr/sbin/debootstrap")) ? Path.of("/usr/sbin/debootstrap") : null;
        }
        if (debootstrap == null || !isRoot()) {
            throw new TestAbortedException("the local base images (" + runtime + ", " + build + ") are not in podman's store and "
                    + (debootstrap == null ? "debootstrap is not installed" : "debootstrap needs root")
                    + " (Debian: apt-get install debootstrap, as root; .ci/run does it), or run with -Dforecaster.image.bases=public"
                    + " where the public base images can be pulled");
        }
        Files.createDirectories(work);
        if (!exists(podman, debian)) {
            Path rootfs = work.resolve("debian-" + SUITE);
            Path tar = work.resolve("debian-" + SUITE + ".tar");
            try {
                exec(log, Duration.ofMinutes(20), debootstrap.toString(), "--variant=minbase", SUITE, rootfs.toString(),
                        System.getProperty("forecaster.image.debian-mirror", "http://deb.debian.org/debian"));
                // the downloaded packages are installed already: leave them out of the image
                exec(log, Duration.ofMinutes(5), "tar", "-C", rootfs.toString(), "--exclude=./var/cache/apt/archives/*.deb",
                        "-cf", tar.toString(), ".");
                podman.run(Duration.ofMinutes(10), log, List.of("import", tar.toString(), debian)).orFail();
            } finally {
                exec(log, Duration.ofMinutes(5), "rm", "-rf", rootfs.toString(), tar.toString());
            }
        }
        Path runtimeDir = work.resolve("jre");
        Files.createDirectories(runtimeDir.resolve("ca"));
        copyHostCas(runtimeDir.resolve("ca"));
        Files.writeString(runtimeDir.resolve("Containerfile"), RUNTIME_RECIPE.formatted(debian));
        podman.run(Duration.ofMinutes(30), log, List.of("build", "--pull=never", "-t", runtime, runtimeDir.toString())).orFail();
        Path buildDir = work.resolve("maven");
        Files.createDirectories(buildDir);
        Files.writeString(buildDir.resolve("Containerfile"), BUILD_RECIPE.formatted(runtime));
        podman.run(Duration.ofMinutes(30), log, List.of("build", "--pull=never", "-t", build, buildDir.toString())).orFail();
        removeOtherTags(podman, log, List.of(debian, runtime, build));
        return new Outcome(build, runtime, false, Duration.ofNanos(System.nanoTime() - start));
    }

    /** A hash of everything that goes into the bases: the recipes, the suite and the host's extra CAs. */
    static String tag() throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((SUITE + RUNTIME_RECIPE + BUILD_RECIPE).getBytes(StandardCharsets.UTF_8));
            for (Path ca : hostCas()) {
                sha.update(ca.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                sha.update(Files.readAllBytes(ca));
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Path> hostCas() throws IOException {
        if (!Files.isDirectory(HOST_CAS)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(HOST_CAS)) {
            return s.filter(p -> p.toString().endsWith(".crt") && Files.isRegularFile(p)).sorted().toList();
        }
    }

    private static void copyHostCas(Path into) throws IOException {
        for (Path ca : hostCas()) {
            Files.copy(ca, into.resolve(ca.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static boolean exists(Podman podman, String image) {
        return podman.run(Duration.ofMinutes(1), "image", "exists", image).ok();
    }

    /** Bases of an earlier recipe are not used again: they go, so that they do not pile up. */
    private static void removeOtherTags(Podman podman, Path log, List<String> keep) {
        String listed = podman.run(Duration.ofMinutes(1), "images", "--format", "{{.Repository}}:{{.Tag}}").stdout();
        for (String image : listed.split("\n")) {
            if (image.startsWith(REPOSITORY + "/") && !keep.contains(image)) {
                podman.run(Duration.ofMinutes(2), log, List.of("rmi", image));
            }
        }
    }

    private static boolean isRoot() throws IOException {
        return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    }

    private static void exec(Path log, Duration timeout, String... cmd) throws IOException, InterruptedException {
        Files.createDirectories(log.toAbsolutePath().getParent());
        Files.writeString(log, "$ " + String.join(" ", cmd) + "\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            throw new IllegalStateException(String.join(" ", cmd) + " took longer than " + timeout + "; see " + log);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " exited with " + p.exitValue() + "; see " + log);
        }
    }
}
