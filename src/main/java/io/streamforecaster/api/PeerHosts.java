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
    /** A DNS name or an IPv4 address: nothing that could end the authority of a URI ({@code / # ? @}) or hold spaces. */
    private static final Pattern HOST_SYNTAX = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?");

    /** An instance this one does not ask, and why. */
    static final class Refused extends IllegalArgumentException {
        Refused(String why) {
            super(why);
        }
    }

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

    /**
     * @throws Refused saying why, when the instance may not be asked: its host is not a host name
     *     or address (the group's metadata can carry any string, and one such as {@code evil.example/x.internal}
     *     would send the request to another host than the pattern saw), or the pattern leaves it out
     */
    void check(HostInfo instance) {
        if (!HOST_SYNTAX.matcher(instance.host()).matches()) {
            throw new Refused("its host is not a host name or address; not asked");
        }
        if (!allows(instance.host())) {
            throw new Refused("its host is not one " + SETTING + " allows; not asked");
        }
    }
}
