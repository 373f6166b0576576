package io.streamforecaster.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** {@code forecaster.memory.budget}: 30 % of the heap by default; a budget the heap cannot hold is refused at startup. */
class MemoryBudgetSettingTest {

    static final long HEAP = 1L << 30;

    @Test
    void shouldTakeThirtyPercentOfTheHeapByDefault() {
        assertEquals(HEAP * 3 / 10, MemoryBudget.forHeap(OptionalLong.empty(), HEAP).limit());
        assertEquals(512L << 20, MemoryBudget.forHeap(OptionalLong.of(512L << 20), HEAP).limit());
    }

    /** Else the keys' states would fill the heap before the budget wrote any out: an OutOfMemoryError instead of evictions. */
    @Test
    void shouldRefuseABudgetLargerThanTheHeapCanHold() {
        var e = assertThrows(IllegalArgumentException.class, () -> MemoryBudget.forHeap(OptionalLong.of(2L << 30), HEAP));
        assertTrue(e.getMessage().contains("forecaster.memory.budget") && e.getMessage().contains("-Xmx"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MemoryBudget.forHeap(OptionalLong.of(HEAP * 9 / 10), HEAP));
    }
}
