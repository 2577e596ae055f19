package dev.airlock.testsupport.postgres;

import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/** {@code postgres:17-alpine} in a container; the same image {@code deploy/compose} uses. */
final class ContainerPostgresServer implements PostgresServer {

    public static final String IMAGE = "postgres:17-alpine";

    private final PostgreSQLContainer container;

    private ContainerPostgresServer(PostgreSQLContainer container) {
        this.container = container;
    }

    @SuppressWarnings("resource")
    static ContainerPostgresServer start() {
        PostgreSQLContainer container = new PostgreSQLContainer(DockerImageName.parse(IMAGE))
                .withDatabaseName(DATABASE)
                .withUsername("airlock")
                .withPassword("airlock");
        container.start();
        return new ContainerPostgresServer(container);
    }

    @Override
    public String jdbcUrl() {
        return "jdbc:postgresql://" + container.getHost() + ":" + container.getMappedPort(5432) + "/" + DATABASE;
    }

    @Override
    public String reactiveUrl() {
        return "postgresql://" + container.getHost() + ":" + container.getMappedPort(5432) + "/" + DATABASE;
    }

    @Override
    public String username() {
        return container.getUsername();
    }

    @Override
    public String password() {
        return container.getPassword();
    }

    @Override
    public String kind() {
        return "container";
    }

    @Override
    public void close() {
        container.stop();
    }

    @Override
    public String toString() {
        return "PostgreSQL container " + IMAGE + " at " + jdbcUrl();
    }
}
