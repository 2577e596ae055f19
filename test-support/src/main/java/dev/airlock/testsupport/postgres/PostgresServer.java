package dev.airlock.testsupport.postgres;

import dev.airlock.testsupport.Infrastructure;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * A real PostgreSQL server for tests with one empty database: zonky's embedded PostgreSQL (real server binaries from
 * Maven Central, run as a child process) by default, a Testcontainers {@code postgres:17-alpine} container where
 * {@link Infrastructure#useContainers()} says so.
 */
public interface PostgresServer extends AutoCloseable {

    /** Name of the database every server offers. */
    String DATABASE = "airlock";

    static PostgresServer start() {
        return Infrastructure.useContainers() ? ContainerPostgresServer.start() : EmbeddedPostgresServer.start();
    }

    /** Starts an embedded server regardless of the container switch. */
    static PostgresServer startEmbedded() {
        return EmbeddedPostgresServer.start();
    }

    /** {@code jdbc:postgresql://host:port/airlock}. */
    String jdbcUrl();

    /** {@code postgresql://host:port/airlock}, the form {@code quarkus.datasource.reactive.url} takes. */
    String reactiveUrl();

    String username();

    String password();

    /** {@code embedded} or {@code container}. */
    String kind();

    /** A new JDBC connection to the database (the caller closes it). */
    default Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), username(), password());
    }

    @Override
    void close();
}
