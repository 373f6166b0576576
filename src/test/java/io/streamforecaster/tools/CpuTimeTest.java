package io.streamforecaster.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

class CpuTimeTest {

    @Test
    void shouldCountThreadsOfOneKindTogetherWhateverTheRunOrNumber() {
        assertEquals("GC Thread", CpuTime.kind("GC Thread#3"));
        assertEquals("C2 CompilerThread", CpuTime.kind("C2 CompilerThread0"));
        assertEquals("StreamThread", CpuTime.kind("s7-fuzzed-0f0e8d1c-2b3a-4c5d-8e9f-0a1b2c3d4e5f-StreamThread-2"));
        assertEquals("kafka-producer-network-thread | StreamThread-producer",
                CpuTime.kind("kafka-producer-network-thread | s7-clean-0f0e8d1c-2b3a-4c5d-8e9f-0a1b2c3d4e5f-StreamThread-1-producer"));
        assertEquals("main", CpuTime.kind("main"));
    }

    @Test
    void shouldReadTheCpuOfEachThreadOfARunningJvm() {
        long spin = System.nanoTime() + 200_000_000L;
        double sink = 0;
        while (System.nanoTime() < spin) {
            sink += Math.sqrt(sink + 1);
        }
        String me = CpuTime.kind(Thread.currentThread().getName());
        Map<String, Double> byKind = CpuTime.byThreadKind(ProcessHandle.current().pid());

        assertTrue(sink > 0);
        assertTrue(byKind.containsKey(me), () -> "thread kinds: " + byKind);
        assertTrue(byKind.get(me) > 0.1, () -> "this thread's CPU: " + byKind.get(me));
        double sum = byKind.values().stream().mapToDouble(Double::doubleValue).sum();
        assertTrue(sum <= CpuTime.self() + 0.5, () -> "threads " + sum + " s, process " + CpuTime.self() + " s");
    }
}
