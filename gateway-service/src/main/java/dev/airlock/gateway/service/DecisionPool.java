package dev.airlock.gateway.service;

import dev.airlock.gateway.config.GatewayConfig;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The threads the independent part of a chunk's decisions runs on ({@code airlock.gateway.decision-threads}): the
 * caller works through the items together with up to {@code threads - 1} helpers, and gets the results in the items'
 * order. Helpers never wait for anything, so callers on several threads at once cannot deadlock it.
 */
@ApplicationScoped
public class DecisionPool {
    private static final Logger LOG = Logger.getLogger(DecisionPool.class);

    private final int threads;
    private final ExecutorService helpers;

    @Inject
    public DecisionPool(GatewayConfig config) {
        this(config.decisionThreads().orElse(Runtime.getRuntime().availableProcessors()));
    }

    DecisionPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("airlock.gateway.decision-threads must be at least 1, not " + threads);
        }
        this.threads = threads;
        AtomicInteger n = new AtomicInteger();
        this.helpers = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "decision-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        LOG.infof("Deciding on %d thread(s) (airlock.gateway.decision-threads)", threads);
    }

    public int threads() {
        return threads;
    }

    /**
     * {@code f} applied to every item, on this thread and the helpers; the results in the items' order. The first
     * exception stops the items not yet started and is rethrown here once every started item has finished.
     */
    public <T, R> List<R> map(List<T> items, Function<? super T, ? extends R> f) throws InterruptedException {
        int n = items.size();
        Object[] out = new Object[n];
        if (helpers == null || n < 2) {
            for (int i = 0; i < n; i++) {
                out[i] = f.apply(items.get(i));
            }
            return results(out);
        }
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable work = () -> {
            int i;
            while (failure.get() == null && (i = next.getAndIncrement()) < n) {
                try {
                    out[i] = f.apply(items.get(i));
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }
        };
        List<Future<?>> started = new ArrayList<>();
        for (int k = Math.min(threads - 1, n - 1); k > 0; k--) {
            try {
                started.add(helpers.submit(work));
            } catch (RejectedExecutionException shuttingDown) {
                break; // the caller still works through every item
            }
        }
        work.run();
        try {
            for (Future<?> h : started) {
                h.get(); // also what makes the helpers' writes to out visible here
            }
        } catch (InterruptedException e) {
            failure.compareAndSet(null, e);
            throw e;
        } catch (ExecutionException e) {
            failure.compareAndSet(null, e.getCause()); // work catches everything: not reached
        }
        Throwable e = failure.get();
        if (e instanceof RuntimeException re) {
            throw re;
        }
        if (e instanceof Error err) {
            throw err;
        }
        if (e != null) {
            throw new IllegalStateException(e);
        }
        return results(out);
    }

    @SuppressWarnings("unchecked")
    private static <R> List<R> results(Object[] out) {
        return (List<R>) Arrays.asList(out);
    }

    void stop(@Observes ShutdownEvent event) {
        if (helpers != null) {
            helpers.shutdownNow();
        }
    }
}
