package io.streamforecaster.it;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamforecaster.tools.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The packaged service refuses a wrong setting as it starts, with a message that names it and a
 * non-zero exit, without a broker: not later, on a stream thread (a zero check interval once made
 * every task fail at init while the thread was replaced forever and liveness stayed green).
 */
class StartupValidationIT {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "forecaster.training.check-interval|0s",
        "forecaster.forecast.horizon|400",
        "forecaster.input.max-key-bytes|0",
        "forecaster.anomaly.threshold|1.5",
        "forecaster.memory.rocksdb|1M",
        "forecaster.metrics.series-idle|0s",
        "forecaster.training.nice|20",
        "forecaster.kafka.access-check-interval|0s",
        "forecaster.api.peer-hosts|other-host"})
    void shouldRefuseAWrongSettingAtStartupNamingIt(String setting, String value) throws Exception {
        int port = ServiceProcess.freePort();
        Map<String, String> props = new HashMap<>();
        props.put("quarkus.kafka-streams.bootstrap-servers", "localhost:1"); // no broker is needed to refuse it
        props.put("kafka-streams.state.dir", Files.createTempDirectory("startup-it").toString());
        props.put(setting, value);
        Path log = Path.of("target", "it-logs", "startup-" + setting + ".log");
        Files.deleteIfExists(log);
        try (ServiceProcess service = ServiceProcess.start(props, port, log, List.of("-Xmx256m"))) {
            Integer exit = service.waitForExit(Duration.ofSeconds(90));
            assertNotNull(exit, "the service kept running with " + setting + "=" + value + "; see " + log);
            assertNotEquals(0, exit);
            String text = Files.readString(log);
            assertTrue(text.contains("Invalid " + setting) || text.contains(setting + " = " + value), "the log must name " + setting + ": " + log);
        }
    }
}
