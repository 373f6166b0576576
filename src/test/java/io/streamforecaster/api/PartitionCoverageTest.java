package io.streamforecaster.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

class PartitionCoverageTest {

    @Test
    void missingIsWhatNobodySearched() {
        PartitionCoverage c = new PartitionCoverage();
        c.addAll(Set.of(1));
        c.add("0, 3");
        c.add(null);
        c.add("");
        c.add("x,-2,7");
        assertEquals(Set.of(2), c.missing(Set.of(0, 1, 2, 3)));
        assertEquals(Set.of(), c.missing(Set.of(0, 1, 3, 7)));
        assertEquals("0,2,10", PartitionCoverage.format(new java.util.TreeSet<>(Set.of(10, 2, 0))));
    }

    @Test
    void twiceIsWhatMoreThanOneInstanceAdded() {
        PartitionCoverage c = new PartitionCoverage();
        c.addAll(Set.of(0, 1));
        c.add("1,2,2");
        c.add("2");
        assertEquals(Set.of(1, 2), c.twice());
        assertEquals(Set.of(0, 1, 2), PartitionCoverage.parse("0, x, 1,-1,2"));
    }
}
