package dev.airlock.approval.repository;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/**
 * Transactions over the service's PostgreSQL. Callers run on worker threads (REST endpoints and {@code @Blocking}
 * consumers): the engine's signature checks and the row locks below are blocking work that must not sit on an
 * event loop.
 */
@ApplicationScoped
public class Db {

    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final AgroalDataSource dataSource;

    @Inject
    public Db(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    public <T> T tx(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new DataAccessException(e);
        }
    }

    static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

    static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    /** A database failure: the caller's transaction was rolled back; nothing was acknowledged. */
    public static final class DataAccessException extends RuntimeException {
        DataAccessException(SQLException cause) {
            super("database operation failed: " + cause.getSQLState(), cause);
        }
    }
}
