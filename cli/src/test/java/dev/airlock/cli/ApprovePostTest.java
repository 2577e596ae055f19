package dev.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.testing.TestPki;
import dev.airlock.core.verify.VerificationEngine;
import dev.airlock.core.verify.VerificationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code airlock capsule approve --post URL}: the signed approval is posted to the approval service's decisions
 * endpoint with HTTP Basic credentials, and the service's verdict is printed (exit 3 when refused). The endpoint here is
 * a real HTTP server on loopback that checks what arrives as the service does first — the approval's signature and
 * role with capsule-core's engine (the full service is tested in approval-service).
 */
class ApprovePostTest {
    static final String PASSWORD = "s3cret-for-alice";

    @TempDir
    Path tmp;
    HttpServer server;
    final List<byte[]> received = new ArrayList<>();
    final List<String> paths = new ArrayList<>();
    final TestPki pki = new TestPki();
    final TrustedPolicy policy = pki.trusted();
    Path capsule;
    Path aliceKey;
    Path passwordFile;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/capsules/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            String expected = "Basic " + Base64.getEncoder().encodeToString(("alice:" + PASSWORD)
                    .getBytes(StandardCharsets.UTF_8));
            int status;
            String answer;
            if (!expected.equals(auth)) {
                status = 401;
                answer = "";
            } else {
                received.add(body);
                paths.add(exchange.getRequestURI().getRawPath());
                try {
                    VerificationEngine.CheckedApproval ca = new VerificationEngine(TestPki.clock())
                            .checkApproval(0, Envelope.parse(body), policy, StrictJson.SIGNED, new ArrayList<>());
                    status = ca == null ? 422 : 200;
                    answer = ca == null ? "{\"outcome\":\"refused\",\"reason\":\"SIGNATURE_INVALID\",\"detail\":\"x\"}"
                            : String.format(Locale.ROOT, "{\"outcome\":\"accepted\",\"reason\":\"THRESHOLD_NOT_MET\","
                            + "\"capsuleId\":\"%s\",\"status\":\"pending\",\"approvals\":1,\"required\":2}",
                            ca.approval().capsuleId());
                } catch (VerificationException e) {
                    status = 422;
                    answer = "{\"outcome\":\"refused\",\"reason\":\"" + e.reason() + "\",\"detail\":\"" + e.reason()
                            + " from the engine\",\"status\":\"pending\"}";
                }
            }
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        capsule = tmp.resolve("capsule.dsse.json");
        Files.write(capsule, pki.signCapsule(pki.capsule()).toJson());
        aliceKey = tmp.resolve("alice.key.pem");
        Files.writeString(aliceKey, pki.of("alice").toPem());
        Files.setPosixFilePermissions(aliceKey, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        passwordFile = tmp.resolve("password");
        Files.writeString(passwordFile, PASSWORD + "\n");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private Cli.Run approve(String role, String password) {
        return Cli.run("capsule", "approve", "--capsule", capsule.toString(), "--key", aliceKey.toString(),
                "--approver", "alice", "--role", role, "--ticket", "CHG0012345", "--out",
                tmp.resolve("approval.dsse.json").toString(), "--post", url() + "/", "--password-file",
                password == null ? passwordFile.toString() : write(password).toString());
    }

    private Path write(String password) {
        try {
            Path p = tmp.resolve("other-password");
            Files.writeString(p, password);
            return p;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theSignedApprovalIsPostedAndTheServiceVerdictPrinted() throws Exception {
        Cli.Run r = approve("service-owner", null).assertExit(0).assertNoStackTrace();
        JsonNode out = r.json();
        assertEquals(200, out.get("httpStatus").asInt());
        assertEquals("accepted", out.get("server").get("outcome").asText());
        assertEquals("pending", out.get("server").get("status").asText());
        assertEquals(url() + "/api/capsules/0194f3c2-7b1e-7cc0-9a55-3f1f2d7c9a01/decisions", out.get("posted").asText());
        assertTrue(r.err().contains("accepted by the approval service: capsule 0194f3c2-7b1e-7cc0-9a55-3f1f2d7c9a01 "
                + "is pending (1 of 2 approvals)"), r::toString);
        // exactly the file it wrote, and nothing of the key
        assertEquals(1, received.size());
        assertArrayEquals(Envelope.parse(Files.readAllBytes(tmp.resolve("approval.dsse.json"))).toJson(), received.get(0));
        String pemBody = pki.of("alice").toPem().replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        assertFalse(new String(received.get(0), StandardCharsets.UTF_8).contains(pemBody.substring(0, 40)));
    }

    @Test
    void aRefusalIsExitThreeWithTheServiceReason() {
        Cli.Run r = approve("security-officer", null).assertExit(3).assertNoStackTrace();
        assertEquals("refused", r.json().get("server").get("outcome").asText());
        assertEquals("ROLE_MISSING", r.json().get("server").get("reason").asText());
        assertEquals(422, r.json().get("httpStatus").asInt());
        assertTrue(r.err().contains("refused by the approval service: ROLE_MISSING"), r::toString);
    }

    @Test
    void wrongCredentialsAreAnInputErrorAndTheApprovalFileStays() {
        Cli.Run r = approve("service-owner", "wrong").assertExit(2).assertNoStackTrace();
        assertTrue(r.err().contains("did not accept the credentials of 'alice' (HTTP 401)"), r::toString);
        assertTrue(Files.exists(tmp.resolve("approval.dsse.json")));
        assertTrue(received.isEmpty());
    }

    @Test
    void noPasswordIsAUsageErrorBeforeAnythingIsSigned() {
        Cli.Run r = Cli.run("capsule", "approve", "--capsule", capsule.toString(), "--key", aliceKey.toString(),
                "--approver", "alice", "--role", "service-owner", "--out", tmp.resolve("a.json").toString(),
                "--post", url(), "--password-file", tmp.resolve("missing").toString()).assertExit(2);
        assertTrue(r.err().contains("password file"), r::toString);
        assertFalse(Files.exists(tmp.resolve("a.json")));
    }

    @Test
    void anUnreachableServiceIsAnInputError() throws IOException {
        server.stop(0);
        Cli.Run r = approve("service-owner", null).assertExit(2).assertNoStackTrace();
        assertTrue(r.err().contains("could not be posted"), r::toString);
        assertTrue(Files.exists(tmp.resolve("approval.dsse.json")));
    }
}
