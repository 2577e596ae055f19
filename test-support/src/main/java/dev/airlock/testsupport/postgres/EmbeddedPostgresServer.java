package dev.airlock.testsupport.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** zonky embedded PostgreSQL: the server binaries come as a Maven artifact and run as a child process. */
final class EmbeddedPostgresServer implements PostgresServer {

    private static final String USER = "postgres";
    // initdb runs with "-A trust": the server accepts any password; one is still handed out so that configuration
    // written for password authentication works unchanged
    private static final String PASSWORD = "postgres";

    private static final System.Logger LOG = System.getLogger(EmbeddedPostgresServer.class.getName());

    private final EmbeddedPostgres postgres;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    static EmbeddedPostgresServer start() {
        long started = System.nanoTime();
        EmbeddedPostgres postgres;
        try {
            postgres = EmbeddedPostgres.builder().start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
        }
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + DATABASE);
        } catch (SQLException e) {
            closeQuietly(postgres);
            throw new IllegalStateException("cannot create database " + DATABASE, e);
        }
        EmbeddedPostgresServer server = new EmbeddedPostgresServer(postgres);
        LOG.log(System.Logger.Level.INFO, "Embedded PostgreSQL at {0} started in {1} ms", server.jdbcUrl(),
                (System.nanoTime() - started) / 1_000_000);
        return server;
    }

    @Override
    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + DATABASE;
    }

    @Override
    public String reactiveUrl() {
        return "postgresql://localhost:" + postgres.getPort() + "/" + DATABASE;
    }

    @Override
    public String username() {
        return USER;
    }

    @Override
    public String password() {
        return PASSWORD;
    }

    @Override
    public String kind() {
        return "embedded";
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stop embedded PostgreSQL", e);
        }
    }

    private static void closeQuietly(EmbeddedPostgres postgres) {
        try {
            postgres.close();
        } catch (IOException ignored) {
            // already failing; the original error is the one to report
        }
    }

    @Override
    public String toString() {
        return "embedded PostgreSQL at " + jdbcUrl();
    }
}
