package dev.airlock.gateway.service;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DecisionPoolTest {

    @Test
    void resultsComeInTheItemsOrderWhateverThreadComputedThem() throws Exception {
        DecisionPool pool = new DecisionPool(3);
        List<Integer> items = IntStream.range(0, 500).boxed().toList();
        Set<String> threads = ConcurrentHashMap.newKeySet();
        List<Integer> out = pool.map(items, i -> {
            threads.add(Thread.currentThread().getName());
            return i * 2;
        });
        assertEquals(items.stream().map(i -> i * 2).toList(), out);
        // which thread took which item is up to the scheduler; only that they were at most 3 is certain
        assertTrue(threads.size() <= 3, "at most the caller and 2 helpers: " + threads);
    }

    @Test
    void itemsRunAtTheSameTime() throws Exception {
        DecisionPool pool = new DecisionPool(2);
        CountDownLatch both = new CountDownLatch(2);
        // each item waits for the other to have started: only possible if they run on two threads at once
        List<Boolean> met = pool.map(List.of(1, 2), i -> {
            both.countDown();
            try {
                return both.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals(List.of(true, true), met);
    }

    @Test
    void oneThreadDecidesEverythingOnTheCaller() throws Exception {
        DecisionPool pool = new DecisionPool(1);
        String caller = Thread.currentThread().getName();
        assertEquals(List.of(caller, caller, caller), pool.map(List.of(1, 2, 3), i -> Thread.currentThread().getName()));
    }

    @Test
    void theFirstFailureIsRethrownAndStopsWhatHasNotStarted() {
        DecisionPool pool = new DecisionPool(2);
        AtomicInteger started = new AtomicInteger();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.map(
                IntStream.range(0, 5000).boxed().toList(), i -> {
                    started.incrementAndGet();
                    if (i == 3) {
                        throw new IllegalStateException("item 3");
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // leaves time to see the failure
                    return i;
                }));
        assertEquals("item 3", e.getMessage());
        assertTrue(started.get() < 5000, "items after the failure were not started: " + started.get());
    }

    @Test
    void afterShutdownTheCallerStillDecidesEverything() throws Exception {
        DecisionPool pool = new DecisionPool(3);
        pool.stop(null);
        String caller = Thread.currentThread().getName();
        assertEquals(List.of(caller, caller, caller), pool.map(List.of(1, 2, 3), i -> Thread.currentThread().getName()));
    }

    @Test
    void fewerThanOneThreadIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new DecisionPool(0));
    }
}
