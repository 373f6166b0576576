package io.streamforecaster.tools;

import io.streamforecaster.tools.chaos.Matrix;
import io.streamforecaster.tools.chaos.Scenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code forecaster chaos}: the fault matrix of RELIABILITY.md, on real brokers and the packaged service. */
public final class Chaos {

    static final String USAGE = """
            Usage: forecaster chaos [--quick] [--kills N] [--s7-scale N] [--out FILE] [--dir DIR] [SCENARIO...]

            Runs the fault matrix on real Kafka brokers it starts itself (KRaft nodes as processes, from
            Kafka's Maven artifacts) and the packaged service (target/quarkus-app) as processes, and prints
            the figures of each run as a Markdown table, with notes.
              SCENARIO    S1 kill -9 of the service during a replay (at-least-once and exactly-once,
                             with and without static membership)
                          S2 broker restarts        S3 replica loss (3 brokers)
                          S4 scaling 1 -> 3 -> 1, and failover with and without standbys
                          S5 lost disk              S6 corrupt stored records
                          S7 fuzzed input           eos-cost  latency of exactly-once against at-least-once
                          (default: S1 to S7)
              --quick     the integration tests' sizes: minutes instead of about an hour
              --kills N   kills per S1 run (default 20; 2 with --quick)
              --s7-scale N
                          S7 only: N times its keys, good and fuzzed records (default 1), the
                          same mix N times as long
              --out FILE  also write the table and notes there (default target/chaos/figures.md)
              --dir DIR   where the brokers, services and their logs live (default target/chaos/run-TIME);
                          the brokers' data is deleted at the end, their logs stay
            CHAOS_SERVICE_JAVA_OPTS adds JVM flags to the service processes (after -Xmx1g -XX:+UseG1GC);
            with -XX:StartFlightRecording among them, S7 writes each service's recording into its
            run's directory (forecaster-0.jfr) when the measured span ends.
            Heavy: on a shared machine run it alone (flock /tmp/heavy.lock ./forecaster chaos).
            """;

    private Chaos() {
    }

    public static void main(String[] argv) {
        Args.run(USAGE, argv, Chaos::run);
    }

    static void run(String[] argv) throws Exception {
        Set<String> valued = Set.of("--kills", "--s7-scale", "--out", "--dir");
        List<String> names = new ArrayList<>();
        List<String> options = new ArrayList<>();
        for (int i = 0; i < argv.length; i++) {
            if (argv[i].startsWith("-")) {
                options.add(argv[i]);
                if (valued.contains(argv[i]) && i + 1 < argv.length) {
                    options.add(argv[++i]);
                }
            } else {
                names.add(argv[i]);
            }
        }
        Args a = new Args(options.toArray(String[]::new), valued, Set.of("--quick"));
        if (a.help()) {
            System.out.println(USAGE);
            return;
        }
        boolean quick = a.has("--quick");
        int kills = a.integer("--kills", quick ? 2 : 20, 1);
        int s7Scale = a.integer("--s7-scale", 1, 1);
        List<Scenario> scenarios = new ArrayList<>();
        for (String name : names.isEmpty() ? Matrix.ALL : names) {
            scenarios.add(Matrix.scenario(name, quick, kills, s7Scale)
                    .orElseThrow(() -> new Args.UsageException("unknown scenario '" + name + "' (S1 to S7, or eos-cost)")));
        }
        if (!Files.exists(ServiceProcess.JAR)) {
            throw new Args.UsageException(ServiceProcess.JAR + " is missing: build the service first (./mvnw package -DskipTests)");
        }
        Path dir = Path.of(a.get("--dir", "target/chaos/run-" + Instant.now().toString().replace(':', '-')));
        Path out = Path.of(a.get("--out", "target/chaos/figures.md"));
        String command = "./forecaster chaos " + String.join(" ", argv);
        boolean allHeld = Matrix.run(scenarios, dir, out, command, System.out, System.err);
        if (!allHeld) {
            System.exit(3);
        }
    }
}
