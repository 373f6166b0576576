package io.streamforecaster.api;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The input partitions a query searched (or a listing read), on this instance and on the peers it
 * asked: a key found in none of them is unknown, and a listing of them whole, only if they are all
 * the partitions there are. A peer reports its partitions in a header, comma-separated; a peer that
 * reports none (an older version, or a reply without the header) adds nothing, so the query stays
 * undecided rather than wrong.
 */
final class PartitionCoverage {

    /** Each partition, and how many of the instances added it. */
    private final Map<Integer, Integer> searched = new TreeMap<>();
    /** Whether every peer named its partitions (one of an older version names none). */
    private boolean complete = true;

    /** Adds the partitions one instance searched (this one). */
    void addAll(Set<Integer> here) {
        here.forEach(p -> searched.merge(p, 1, Integer::sum));
    }

    /** Adds the partitions in one peer's header; a malformed entry adds nothing, and a missing header makes the coverage incomplete. */
    void add(String header) {
        if (header == null) {
            complete = false;
        }
        addAll(parse(header));
    }

    /** Whether every peer added named its partitions: otherwise the partitions {@link #missing} are not known to be missing. */
    boolean complete() {
        return complete;
    }

    /** The partitions in a header; a malformed entry is left out. */
    static Set<Integer> parse(String header) {
        Set<Integer> partitions = new TreeSet<>();
        if (header == null || header.isBlank()) {
            return partitions;
        }
        for (String part : header.split(",")) {
            try {
                int p = Integer.parseInt(part.trim());
                if (p >= 0) {
                    partitions.add(p);
                }
            } catch (NumberFormatException e) {
                // not a partition: ignored
            }
        }
        return partitions;
    }

    /** The partitions of {@code all} that nobody searched. */
    Set<Integer> missing(Set<Integer> all) {
        Set<Integer> missing = new TreeSet<>(all);
        missing.removeAll(searched.keySet());
        return missing;
    }

    /** The partitions more than one instance added: read on both sides of a move. */
    Set<Integer> twice() {
        Set<Integer> twice = new TreeSet<>();
        searched.forEach((p, n) -> {
            if (n > 1) {
                twice.add(p);
            }
        });
        return twice;
    }

    static String format(Set<Integer> partitions) {
        return partitions.stream().sorted().map(String::valueOf).collect(Collectors.joining(","));
    }
}
