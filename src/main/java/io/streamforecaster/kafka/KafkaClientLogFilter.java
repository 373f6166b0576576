package io.streamforecaster.kafka;

import io.quarkus.logging.LoggingFilter;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.regex.Pattern;
import org.jboss.logmanager.ExtLogRecord;

/**
 * Keeps the Kafka clients' own reports of failed logins, TLS handshakes and unreachable brokers out
 * of the log: each client repeats one on every reconnect (with a wrong password, 468 lines in a
 * minute), and Quarkus repeats its failed topic listing with a stack trace. {@link KafkaAccessMonitor} reports
 * the same failure once, in words an operator can act on, and the readiness check shows it; the
 * lines dropped here are counted there.
 */
@LoggingFilter(name = KafkaClientLogFilter.NAME)
public final class KafkaClientLogFilter implements Filter {

    public static final String NAME = "forecaster-kafka-client-noise";
    private static final AtomicLong SUPPRESSED = new AtomicLong();
    private static final Pattern NOISE = Pattern.compile(
            "failed authentication due to|Authentication failed|SSL handshake failed|SaslAuthenticationException|SslAuthenticationException"
                    + "|Failed to get topic names from broker|Bootstrap broker \\S+ \\(.*\\) disconnected|could not be established\\. Node may not be available");

    @Override
    public boolean isLoggable(LogRecord record) {
        String logger = record.getLoggerName();
        if (logger == null || !(logger.startsWith("org.apache.kafka") || logger.startsWith("io.quarkus.kafka"))) {
            return true;
        }
        String message = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
        if ((message != null && NOISE.matcher(message).find()) || causedByAuthentication(record.getThrown())) {
            SUPPRESSED.incrementAndGet();
            return false;
        }
        return true;
    }

    private static boolean causedByAuthentication(Throwable t) {
        for (int depth = 0; t != null && depth < 10; depth++, t = t.getCause()) {
            if (t instanceof org.apache.kafka.common.errors.AuthenticationException) {
                return true;
            }
        }
        return false;
    }

    /** Log lines dropped so far. */
    public static long suppressed() {
        return SUPPRESSED.get();
    }
}
