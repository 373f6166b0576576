package io.streamforecaster.api;

import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The hosts this instance forwards queries to, and with them the caller's credentials
 * ({@code forecaster.api.peer-hosts}). The other instances' addresses come from Kafka Streams'
 * group metadata ({@code application.server}), which any member of the consumer group sets: one
 * that joins with the service's Kafka credentials could name a host of its own and collect the
 * credentials of every query forwarded to it. With a pattern set, an instance whose host does not
 * match it in full is never asked. Unset, any host is.
 */
public final class PeerHosts {

    public static final String SETTING = "forecaster.api.peer-hosts";

    private final Pattern pattern;

    private PeerHosts(Pattern pattern) {
        this.pattern = pattern;
    }

    /** Any host: no pattern set. */
    public static PeerHosts any() {
        return new PeerHosts(null);
    }

    /**
     * @param regex the setting, a regular expression a host must match in full; empty for any host
     * @param ownHost this instance's host as the others see it ({@code application.server}), which must match too
     * @throws IllegalArgumentException naming the setting when the pattern does not compile or leaves this instance out
     */
    public static PeerHosts of(Optional<String> regex, String ownHost) {
        if (regex.isEmpty() || regex.get().isBlank()) {
            return any();
        }
        Pattern p;
        try {
            p = Pattern.compile(regex.get());
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("Invalid " + SETTING + " = " + regex.get() + ": not a regular expression (" + e.getDescription() + ")", e);
        }
        PeerHosts hosts = new PeerHosts(p);
        if (ownHost != null && !hosts.allows(ownHost)) {
            throw new IllegalArgumentException(SETTING + " = " + regex.get() + " does not match this instance's own host " + ownHost
                    + " (quarkus.kafka-streams.application-server): the instances could not ask each other");
        }
        return hosts;
    }

    public boolean allows(String host) {
        return pattern == null || pattern.matcher(host).matches();
    }

    /** @throws IllegalArgumentException saying why, when the instance may not be asked */
    void check(HostInfo instance) {
        if (!allows(instance.host())) {
            throw new IllegalArgumentException("its host is not one " + SETTING + " allows; not asked");
        }
    }
}
