package io.streamforecaster.api;

import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The input partitions a query searched, on this instance and on the peers it asked: a key found
 * in none of them is unknown only if they are all the partitions there are. A peer reports the
 * partitions it searched in a header, comma-separated; a peer that reports none (an older version,
 * or a reply without the header) adds nothing, so the query stays undecided rather than wrong.
 */
final class PartitionCoverage {

    private final Set<Integer> searched = new TreeSet<>();

    /** Adds partitions searched here. */
    void addAll(Set<Integer> here) {
        searched.addAll(here);
    }

    /** Adds the partitions in a peer's header; a malformed entry adds nothing. */
    void add(String header) {
        if (header == null || header.isBlank()) {
            return;
        }
        for (String part : header.split(",")) {
            try {
                int p = Integer.parseInt(part.trim());
                if (p >= 0) {
                    searched.add(p);
                }
            } catch (NumberFormatException e) {
                // not a partition: ignored
            }
        }
    }

    /** The partitions of {@code all} that nobody searched. */
    Set<Integer> missing(Set<Integer> all) {
        Set<Integer> missing = new TreeSet<>(all);
        missing.removeAll(searched);
        return missing;
    }

    static String format(Set<Integer> partitions) {
        return partitions.stream().sorted().map(String::valueOf).collect(Collectors.joining(","));
    }
}
