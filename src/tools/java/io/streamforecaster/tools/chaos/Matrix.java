package io.streamforecaster.tools.chaos;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The fault matrix: its scenarios by name, and the runner that prints their figures. */
public final class Matrix {

    public static final List<String> ALL = List.of("S1", "S2", "S3", "S4", "S5", "S6", "S7");

    private Matrix() {
    }

    /**
     * The scenario of this name at the full size, or at the integration tests' with {@code quick};
     * S7's sizes times {@code s7Scale}.
     */
    public static Optional<Scenario> scenario(String name, boolean quick, int kills, int s7Scale) {
        return Optional.ofNullable(switch (name.toUpperCase(Locale.ROOT)) {
            case "S1" -> new KillDuringReplay((quick ? KillDuringReplay.Options.quick() : KillDuringReplay.Options.full()).withKills(kills));
            case "S2" -> new BrokerRestarts(BrokerRestarts.Options.s2(quick));
            case "S3" -> new BrokerRestarts(BrokerRestarts.Options.s3(quick));
            case "S4" -> new Scaling(quick ? Scaling.Options.quick() : Scaling.Options.full());
            case "S5" -> new LostDisk(quick ? LostDisk.Options.quick() : LostDisk.Options.full());
            case "S6" -> new CorruptStores(quick ? CorruptStores.Options.quick() : CorruptStores.Options.full());
            case "S7" -> new FuzzedInput((quick ? FuzzedInput.Options.quick() : FuzzedInput.Options.full()).scaled(s7Scale));
            case "EOS-COST" -> new EosCost(quick ? EosCost.Options.quick() : EosCost.Options.full());
            default -> null;
        });
    }

    /**
     * Runs the scenarios one after the other and prints, then writes to {@code out}, the table of
     * their figures with machine, date and command, and each run's notes.
     *
     * @return whether every goal figure held
     */
    public static boolean run(List<Scenario> scenarios, Path dir, Path out, String command, PrintStream table, PrintStream progress)
            throws Exception {
        List<Figures> figures = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Instant started = Instant.now();
        for (Scenario s : scenarios) {
            progress.printf("%s: %s%n", s.id(), s.title());
            try {
                try (Lab lab = Lab.start(dir.resolve(s.id().toLowerCase(Locale.ROOT)), s.brokers(), Map.of(), progress)) {
                    figures.addAll(s.run(lab));
                }
            } catch (Exception | AssertionError e) {
                progress.printf("%s failed: %s%n", s.id(), e);
                e.printStackTrace(progress);
                failures.add(s.id() + " did not finish: " + e);
            }
        }
        String report = report(figures, failures, command, started);
        table.println(report);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, report, StandardCharsets.UTF_8);
        progress.println("figures written to " + out + "; brokers' and services' logs under " + dir);
        return failures.isEmpty() && figures.stream().allMatch(Figures::held);
    }

    /** The table of the figures and each run's notes, in Markdown. */
    public static String report(List<Figures> figures, List<String> failures, String command, Instant started) throws IOException {
        StringBuilder r = new StringBuilder();
        r.append(String.format(Locale.ROOT, "Machine: %d cores, %d GiB; %s %s. Started %s. Command: `%s`%n%n",
                Runtime.getRuntime().availableProcessors(), physicalGiB(), System.getProperty("java.vm.name"),
                System.getProperty("java.version"), started, command));
        r.append(Figures.HEADER).append('\n').append(Figures.RULE).append('\n');
        for (Figures f : figures) {
            r.append(f.row()).append('\n');
        }
        r.append('\n');
        for (Figures f : figures) {
            r.append("**").append(f.scenario()).append(", ").append(f.run()).append("**: ")
                    .append(f.held() ? "every goal figure held." : "goals missed: " + String.join("; ", f.misses()) + ".").append('\n');
            for (String n : f.notes()) {
                r.append("- ").append(n).append('\n');
            }
            r.append('\n');
        }
        for (String failure : failures) {
            r.append("**").append(failure).append("**\n");
        }
        return r.toString();
    }

    private static long physicalGiB() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return Math.round(sun.getTotalMemorySize() / (1024.0 * 1024 * 1024));
        }
        return -1;
    }
}
