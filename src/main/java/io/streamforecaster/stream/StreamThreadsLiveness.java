package io.streamforecaster.stream;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** Not alive once stream threads kept dying and this instance gave up replacing them ({@link StreamThreadPolicy}). */
@Liveness
@ApplicationScoped
public class StreamThreadsLiveness implements HealthCheck {

    @Inject
    StreamThreadPolicy policy;

    @Override
    public HealthCheckResponse call() {
        var reason = policy.gaveUp();
        return reason.isEmpty()
                ? HealthCheckResponse.up("forecaster stream threads")
                : HealthCheckResponse.named("forecaster stream threads").down().withData("reason", reason.get()).build();
    }
}
