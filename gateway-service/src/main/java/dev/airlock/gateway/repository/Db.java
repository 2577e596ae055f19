package dev.airlock.gateway.repository;

import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;

import java.util.function.Supplier;

/**
 * Runs a Hibernate Reactive unit of work from a worker thread and waits for it. Hibernate Reactive needs a Vert.x
 * context; the gateway's CPU-heavy verification runs on workers (never on the event loop), so the database steps
 * are handed to a duplicated Vert.x context and awaited here.
 */
public final class Db {
    private Db() {
    }

    public static <T> T await(Supplier<Uni<T>> work) {
        try {
            return VertxContextSupport.subscribeAndAwait(work);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new DatabaseException(t);
        }
    }

    /** A checked failure of the database step, rethrown unchecked. */
    public static final class DatabaseException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DatabaseException(Throwable cause) {
            super(cause.getClass().getSimpleName() + ": " + cause.getMessage(), cause);
        }
    }
}
