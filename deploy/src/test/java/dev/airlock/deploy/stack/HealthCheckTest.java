package dev.airlock.deploy.stack;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HealthCheckTest {
    @TempDir
    Path dir;

    private static HttpServer server(int status, String body) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        s.createContext("/q/health/ready", x -> {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(status, b.length);
            x.getResponseBody().write(b);
            x.close();
        });
        s.start();
        return s;
    }

    private static URI ready(HttpServer s) {
        return URI.create("http://127.0.0.1:" + s.getAddress().getPort() + "/q/health/ready");
    }

    @Test
    void httpReadinessSaysWhatIsDown() throws Exception {
        HttpServer up = server(200, "{\"status\":\"UP\"}");
        HttpServer down = server(503, "{\"status\":\"DOWN\",\"checks\":[{\"name\":\"Kafka\",\"status\":\"DOWN\"}]}");
        try {
            assertTrue(new HealthCheck.Http(ready(up)).probe().healthy());
            HealthCheck.Result r = new HealthCheck.Http(ready(down)).probe();
            assertFalse(r.healthy());
            assertTrue(r.detail().contains("503") && r.detail().contains("Kafka"), r::detail);
        } finally {
            up.stop(0);
            down.stop(0);
        }
        int free;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            free = s.getLocalPort();
        }
        HealthCheck.Result none = new HealthCheck.Http(URI.create("http://127.0.0.1:" + free + "/q/health/ready")).probe();
        assertFalse(none.healthy());
        assertEquals("nothing listens on 127.0.0.1:" + free + " yet", none.detail());
    }

    @Test
    void runnerStatusFile() throws Exception {
        Path f = dir.resolve("status.json");
        Instant start = Instant.now().minusSeconds(10);
        HealthCheck.StatusFile check = new HealthCheck.StatusFile(f, start);
        assertTrue(check.probe().healthy(), "a build without a status file is judged by the other checks");
        Files.writeString(f, "{\"schema\":\"airlock.runner-status/v1\",\"state\":\"RECOVERING\",\"updatedAt\":\""
                + Instant.now() + "\"}");
        assertEquals(new HealthCheck.Result(false, "status RECOVERING"), check.probe());
        Files.writeString(f, "{\"state\":\"READY\",\"networkIsolated\":true,\"updatedAt\":\"" + Instant.now() + "\"}");
        assertEquals(new HealthCheck.Result(true, "status READY, validations without network"), check.probe());
        Files.writeString(f, "{\"state\":\"READY\",\"updatedAt\":\"" + start.minusSeconds(60) + "\"}");
        assertFalse(check.probe().healthy(), "a file older than the process is an earlier run's");
    }

    @Test
    void gatewayStatusFile() throws Exception {
        Path f = dir.resolve("status.json");
        HealthCheck.StatusFile check = new HealthCheck.StatusFile(f, Instant.now().minusSeconds(60));
        Files.writeString(f, "{\"ready\":true,\"policyVersion\":1,\"admitted\":3,\"rejected\":1,\"stale\":false,"
                + "\"frozen\":false,\"policyExpired\":false,\"updatedAt\":\"" + Instant.now() + "\"}");
        assertEquals(new HealthCheck.Result(true, "ready, policy v1, 3 admitted, 1 rejected, diode heartbeat fresh"),
                check.probe());
        Files.writeString(f, "{\"ready\":true,\"stale\":true,\"frozen\":true,\"lastHeartbeat\":\"2026-11-25T10:00:00Z\","
                + "\"updatedAt\":\"" + Instant.now() + "\"}");
        HealthCheck.Result frozen = check.probe();
        assertFalse(frozen.healthy());
        assertTrue(frozen.detail().startsWith("FROZEN"), frozen::detail);
        Files.writeString(f, "{\"ready\":true,\"updatedAt\":\"" + Instant.now().minusSeconds(45) + "\"}");
        HealthCheck.Result hung = check.probe();
        assertFalse(hung.healthy());
        assertTrue(hung.detail().contains("hung"), hung::detail);
    }

    @Test
    void logLinesCountOnlyFromThisStart() throws Exception {
        Path log = dir.resolve("x.log");
        Files.writeString(log, "old run: started in 1.0s\n");
        long offset = Files.size(log);
        HealthCheck check = new HealthCheck.LogLine(log, offset, Pattern.compile("started in [0-9.]+s"), "started");
        assertFalse(check.probe().healthy());
        Files.writeString(log, "new run: started in 2.5s\n", java.nio.file.StandardOpenOption.APPEND);
        assertTrue(check.probe().healthy());
        HealthCheck.Result all = new HealthCheck.AllOf(List.of(check, new HealthCheck.LogLine(log, 0,
                Pattern.compile("never"), "never"))).probe();
        assertFalse(all.healthy());
        assertTrue(all.detail().contains("never"), all::detail);
    }
}
