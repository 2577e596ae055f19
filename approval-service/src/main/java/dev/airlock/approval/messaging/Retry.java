package dev.airlock.approval.messaging;

import dev.airlock.approval.repository.Db;
import dev.airlock.core.verify.VerificationException;
import org.jboss.logging.Logger;

import java.util.function.Supplier;

/**
 * Retries a consumer's work when the database is briefly unavailable (pool exhausted, failover). A record is
 * dead-lettered for what it is, never for the state of the infrastructure: after the last attempt the failure
 * propagates and the channel's failure strategy applies. The work is idempotent (inbox keys), so a retry after a
 * rolled-back attempt is safe.
 */
final class Retry {
    private static final Logger LOG = Logger.getLogger(Retry.class);
    private static final int ATTEMPTS = 6;

    interface CheckedSupplier<T> {
        T get() throws VerificationException;
    }

    private Retry() {
    }

    static <T> T transient_(Supplier<T> work) {
        try {
            return transientChecked(work::get);
        } catch (VerificationException e) {
            throw new IllegalStateException(e);
        }
    }

    static <T> T transientChecked(CheckedSupplier<T> work) throws VerificationException {
        long backoff = 100;
        for (int attempt = 1; ; attempt++) {
            try {
                return work.get();
            } catch (Db.DataAccessException e) {
                if (attempt == ATTEMPTS) {
                    throw e;
                }
                LOG.warnf("Database unavailable (attempt %d of %d), retrying in %d ms: %s", attempt, ATTEMPTS, backoff,
                        e.getMessage());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                backoff = Math.min(backoff * 2, 5_000);
            }
        }
    }
}
