package dev.airlock.runner.testing;

import dev.airlock.testsupport.process.JavaApp;

import java.nio.file.Path;
import java.time.Duration;

import static org.awaitility.Awaitility.await;

/** The packaged runner ({@code target/quarkus-app/quarkus-run.jar}) as a child process, configured by a fixture. */
public final class RunnerProcess {

    private RunnerProcess() {
    }

    public static JavaApp start(RunnerFixture fixture, String bootstrapServers, String logName,
                                String... extraProperties) {
        JavaApp.Builder b = JavaApp.jar(Path.of("target", "quarkus-app", "quarkus-run.jar"))
                .systemProperty("kafka.bootstrap.servers", bootstrapServers)
                .log(Path.of("target", logName));
        fixture.config().forEach(b::systemProperty);
        for (int i = 0; i + 1 < extraProperties.length; i += 2) {
            b.systemProperty(extraProperties[i], extraProperties[i + 1]);
        }
        return b.start();
    }

    /** SIGKILL, as a power cut or the OOM killer would: no shutdown hook runs. */
    public static void kill9(JavaApp app) {
        ProcessHandle.of(app.pid()).ifPresent(ProcessHandle::destroyForcibly);
        await().atMost(Duration.ofSeconds(30)).until(() -> !app.isAlive());
    }
}
