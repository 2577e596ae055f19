package dev.airlock.gateway.testing;

import dev.airlock.core.testing.TestPki;
import dev.airlock.testsupport.kafka.KafkaBroker;
import dev.airlock.testsupport.postgres.PostgresServer;
import dev.airlock.testsupport.process.JavaApp;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The packaged gateway ({@code target/quarkus-app/quarkus-run.jar}) as a child process against a real broker and a
 * real PostgreSQL, configured with the fixture files in {@code dir} (see {@link Fixtures#writeConfigFiles}).
 */
public final class GatewayProcess {
    public static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");

    private GatewayProcess() {
    }

    public static Map<String, String> properties(KafkaBroker broker, PostgresServer db, Path dir) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("kafka.bootstrap.servers", broker.bootstrapServers());
        p.put("quarkus.datasource.jdbc.url", db.jdbcUrl());
        p.put("quarkus.datasource.reactive.url", db.reactiveUrl());
        p.put("quarkus.datasource.username", db.username());
        p.put("quarkus.datasource.password", db.password());
        p.put("airlock.gateway.key", Fixtures.keyFile(dir).toString());
        p.put("airlock.gateway.initial-policy", dir.resolve("policy-v1.dsse.json").toString());
        p.put("airlock.gateway.environment", TestPki.PROD);
        p.put("airlock.gateway.status-file", statusFile(dir).toString());
        // no diode in these tests: a long grace keeps the gateway from freezing
        p.put("airlock.gateway.heartbeat-grace", "PT1H");
        return p;
    }

    public static Path statusFile(Path dir) {
        return dir.resolve("status.json");
    }

    public static JavaApp start(Map<String, String> properties, Path log) {
        JavaApp.Builder b = JavaApp.jar(JAR).log(log);
        properties.forEach(b::systemProperty);
        return b.start();
    }
}
