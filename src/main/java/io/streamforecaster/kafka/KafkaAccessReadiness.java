package io.streamforecaster.kafka;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while this service can reach Kafka, log in, and hold every ACL it needs; otherwise
 * DOWN with the reason (a wrong password, an untrusted certificate, a missing ACL or topic).
 * Liveness stays up: restarting does not fix credentials.
 */
@Readiness
@ApplicationScoped
public class KafkaAccessReadiness implements HealthCheck {

    static final String NAME = "forecaster kafka access";

    @Inject
    KafkaAccessMonitor monitor;

    @Override
    public HealthCheckResponse call() {
        KafkaAccessCheck.Outcome o = monitor.outcome();
        if (o == null) {
            return HealthCheckResponse.named(NAME).down().withData("reason", "the first check has not finished yet").build();
        }
        if (o.ok()) {
            return HealthCheckResponse.up(NAME);
        }
        return HealthCheckResponse.named(NAME).down()
                .withData("status", o.status().name())
                .withData("reason", o.reason())
                .withData("since", monitor.since().toString())
                .withData("suppressedClientLogLines", KafkaClientLogFilter.suppressed())
                .build();
    }
}
