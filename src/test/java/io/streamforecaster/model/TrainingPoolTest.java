package io.streamforecaster.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class TrainingPoolTest {

    final Queue<Runnable> queued = new ArrayDeque<>();
    final TrainingPool pool = new TrainingPool(new TrainingSettings(Variant.VANILLA, 3, 1, 4, 1, 1, 0.01, 1, 1.0, 0),
            queued::add, 4, (s, h, p, o, n) -> TestModels.offset(s, 0, 1, o), System::currentTimeMillis);

    static TrainingPool.Job job(String key) {
        return new TrainingPool.Job(key, new double[][] {{1}, {2}, {3}, {4}, {5}}, null, 5, r -> { });
    }

    @Test
    void shouldShareThePoolAmongTheTasksThatWantIt() {
        Object busy = new Object();
        Object quiet = new Object();
        pool.register(busy);
        pool.register(quiet);
        assertEquals(4, pool.share(busy), "a task with nothing to train takes no one's share");
        assertTrue(pool.trySubmit(job("a1"), busy));
        assertTrue(pool.trySubmit(job("a2"), busy));
        assertTrue(pool.trySubmit(job("a3"), busy), "the pool's idle slots go to the task that has keys due");

        pool.waiting(quiet, true); // the other task has due keys it could not hand out
        assertEquals(2, pool.share(busy));
        assertFalse(pool.trySubmit(job("a4"), busy), "a task with many due keys may not take the share of another that waits");
        assertTrue(pool.trySubmit(job("b1"), quiet));
        assertEquals(4, pool.pending());

        queued.poll().run(); // one of the busy task's jobs finishes
        assertFalse(pool.hasRoom(busy), "the busy task is at its share");
        assertTrue(pool.trySubmit(job("b2"), quiet), "the freed slot goes to the task below its share");

        pool.waiting(quiet, false);
        assertEquals(2, pool.share(busy), "a task with jobs in the pool still counts");
        pool.unregister(quiet);
        assertEquals(4, pool.share(busy), "alone, a task may use the whole pool");
    }

    @Test
    void shouldBuildTheFirstModelsStartingWeightsBeforeAnyKeyIsDue() {
        // a seed no other test uses, so that no one else has built these weights
        TrainingSettings s = new TrainingSettings(Variant.STACKED, 5, 1, 3, 1, 1, 0.01, 982_451_653L, 1.0, 0);
        assertFalse(JavaTrainer.prepared(s));

        try (TrainingPool service = TrainingPool.create(s, 1, 1)) {
            Awaitility.await().atMost(Duration.ofMinutes(1)).until(() -> JavaTrainer.prepared(s));
            assertEquals(0, service.pending(), "preparing takes none of the pool's slots");
        }
    }

    /** A task that closed (moved away) had its waiting jobs trained one after the other, their results thrown away, while the new owner's keys waited. */
    @Test
    void shouldDropTheJobsOfATaskThatClosedBeforeTheyStart() {
        java.util.concurrent.atomic.AtomicInteger trained = new java.util.concurrent.atomic.AtomicInteger();
        java.util.List<String> done = new java.util.ArrayList<>();
        TrainingPool counting = new TrainingPool(new TrainingSettings(Variant.VANILLA, 3, 1, 4, 1, 1, 0.01, 1, 1.0, 0),
                queued::add, 4, (s, h, p, o, n) -> {
                    trained.incrementAndGet();
                    return TestModels.offset(s, 0, 1, o);
                }, System::currentTimeMillis);
        Object moved = new Object();
        Object stays = new Object();
        counting.register(moved);
        counting.register(stays);
        TrainingPool.Job a = new TrainingPool.Job("a", new double[][] {{1}, {2}, {3}, {4}, {5}}, null, 5, r -> done.add(r.key()));
        TrainingPool.Job b = new TrainingPool.Job("b", new double[][] {{1}, {2}, {3}, {4}, {5}}, null, 5, r -> done.add(r.key()));
        TrainingPool.Job c = new TrainingPool.Job("c", new double[][] {{1}, {2}, {3}, {4}, {5}}, null, 5, r -> done.add(r.key()));
        assertTrue(counting.trySubmit(a, moved));
        assertTrue(counting.trySubmit(b, moved));
        assertTrue(counting.trySubmit(c, stays));

        counting.unregister(moved);
        while (!queued.isEmpty()) {
            queued.poll().run();
        }
        assertEquals(1, trained.get(), "only the job of the task still here was trained");
        assertEquals(java.util.List.of("c"), done);
        assertEquals(0, counting.pending(), "the dropped jobs' slots are free again");
    }

    /** The stop interrupts the training threads: a training ends at its next epoch, not at its last. */
    @Test
    void shouldEndATrainingWhoseThreadIsInterrupted() {
        TrainingSettings s = new TrainingSettings(Variant.VANILLA, 3, 1, 4, 1, 1, 0.01, 1, 1.0, 0);
        double[][] history = new double[40][];
        for (int i = 0; i < history.length; i++) {
            history[i] = new double[] {Math.sin(i / 3.0)};
        }
        Thread.currentThread().interrupt();
        try {
            org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.CancellationException.class,
                    () -> Trainer.train(s, history, null, history.length, 0));
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept for the pool's thread to see");
        } finally {
            Thread.interrupted();
        }
        assertEquals(4, Trainer.train(s, history, null, history.length, 0).units(), "an uninterrupted thread trains");
    }
}
