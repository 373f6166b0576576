package io.streamforecaster.kafka;

import io.quarkus.kafka.streams.runtime.KafkaStreamsProducer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.streamforecaster.config.ForecasterConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.jboss.logging.Logger;

/**
 * Runs {@link KafkaAccessCheck} at startup and every {@code forecaster.kafka.access-check-interval}
 * with an admin client made from exactly the settings Kafka Streams got, and keeps its latest
 * outcome for the readiness check. A problem is logged once, as one clear error, again only when
 * it changes or every {@link #REMINDER} while it lasts; its end is logged too. The service stays up
 * (not ready) and keeps retrying, so fixing the credentials or ACLs needs no restart of the pod and
 * a wrong password does not become a crash loop.
 */
@ApplicationScoped
public class KafkaAccessMonitor {

    static final Duration REMINDER = Duration.ofMinutes(10);
    // a first login on a busy machine (TLS, SCRAM's 4096+ iterations) can take seconds: no false alarm at startup
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Logger LOG = Logger.getLogger(KafkaAccessMonitor.class);

    @Inject
    KafkaStreamsProducer streams;

    @Inject
    ForecasterConfig config;

    @Inject
    KafkaSecurityConfig security;

    private volatile KafkaAccessCheck.Outcome last;
    private volatile Instant since = Instant.now();
    private Instant lastLogged = Instant.EPOCH;
    private ScheduledExecutorService scheduler;
    private Admin admin;
    private KafkaAccessCheck.Target target;
    /** Whether the output topics' timestamp bounds were looked at ({@link TopicTimestampBounds}). */
    private boolean boundsChecked;

    /** The bounds of {@code forecaster.kafka.access-check-interval}. */
    static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
    static final Duration MAX_INTERVAL = Duration.ofHours(1);

    void start(@Observes StartupEvent event) {
        Duration interval = security.accessCheckInterval();
        if (interval.compareTo(MIN_INTERVAL) < 0 || interval.compareTo(MAX_INTERVAL) > 0) {
            throw new IllegalArgumentException("Invalid forecaster.kafka.access-check-interval = " + interval + ": must be 1s to 1h");
        }
        Map<String, Object> original = streams.getStreamsConfig().originals();
        Map<String, Object> adminConfig = new HashMap<>();
        for (String name : AdminClientConfig.configNames()) {
            if (original.containsKey(name)) {
                adminConfig.put(name, original.get(name));
            }
        }
        adminConfig.put(AdminClientConfig.CLIENT_ID_CONFIG, "forecaster-access-check");
        adminConfig.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis() + 5000);
        adminConfig.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 10_000);
        target = KafkaAccessCheck.Target.of(original, config.topics());
        admin = Admin.create(adminConfig);
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "forecaster-kafka-access-check");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::runCheck, 0, security.accessCheckInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
    }

    private void runCheck() {
        try {
            KafkaAccessCheck.Outcome outcome = KafkaAccessCheck.check(admin, target, TIMEOUT);
            record(outcome);
            if (outcome.ok() && !boundsChecked) {
                // once, not tried again if it could not read them: topic configs rarely change, and a
                // warning each interval would be noise; it may hold this thread up to the timeout once
                boundsChecked = true;
                warnAboutTimestampBounds();
            }
        } catch (RuntimeException e) {
            // the check itself must go on at the next interval; its failure is the outcome
            record(new KafkaAccessCheck.Outcome(KafkaAccessCheck.Status.FAILED, "checking access to Kafka failed: " + e));
        }
    }

    /** Not part of the access check's outcome: whatever goes wrong here leaves readiness alone. */
    private void warnAboutTimestampBounds() {
        try {
            for (String warning : TopicTimestampBounds.warnings(admin, target, TIMEOUT)) {
                LOG.warn(warning);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.debugf("Could not read the output topics' configs: %s", e.toString());
        }
    }

    private synchronized void record(KafkaAccessCheck.Outcome outcome) {
        KafkaAccessCheck.Outcome previous = last;
        Instant now = Instant.now();
        boolean changed = previous == null || !previous.equals(outcome);
        if (changed) {
            since = now;
        }
        last = outcome;
        if (outcome.ok()) {
            if (previous != null && !previous.ok()) {
                LOG.infof("Kafka access is fine again (%d Kafka client log lines about it were held back)", KafkaClientLogFilter.suppressed());
            }
            return;
        }
        if (changed || Duration.between(lastLogged, now).compareTo(REMINDER) >= 0) {
            lastLogged = now;
            LOG.errorf("Kafka access check failed (%s): %s. The service stays up and not ready, and retries every %ds%s.",
                    outcome.status(), outcome.reason(), security.accessCheckInterval().toSeconds(),
                    changed ? "" : "; still failing since " + since);
        }
    }

    /** The latest outcome; null before the first check finished. */
    public KafkaAccessCheck.Outcome outcome() {
        return last;
    }

    public Instant since() {
        return since;
    }
}
