package dev.airlock.testsupport.postgres;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.HashMap;
import java.util.Map;

/**
 * Quarkus test resource: a real {@link PostgresServer} behind both the JDBC and the reactive datasource (Flyway uses
 * the first, Hibernate Reactive the second). Fields annotated {@link InjectPostgres} receive the server.
 */
public class PostgresResource implements QuarkusTestResourceLifecycleManager {

    private PostgresServer server;

    @Override
    public Map<String, String> start() {
        server = PostgresServer.start();
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.datasource.jdbc.url", server.jdbcUrl());
        config.put("quarkus.datasource.reactive.url", server.reactiveUrl());
        config.put("quarkus.datasource.username", server.username());
        config.put("quarkus.datasource.password", server.password());
        config.put("quarkus.datasource.devservices.enabled", "false");
        return config;
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(server,
                new TestInjector.AnnotatedAndMatchesType(InjectPostgres.class, PostgresServer.class));
    }
}
