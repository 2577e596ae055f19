package dev.airlock.evidence.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.core.events.Topics;
import dev.airlock.evidence.Api;
import dev.airlock.evidence.EvidenceFixturesResource;
import dev.airlock.evidence.Fixtures;
import dev.airlock.evidence.Stack;
import dev.airlock.testsupport.kafka.InjectKafkaBroker;
import dev.airlock.testsupport.kafka.KafkaBroker;
import dev.airlock.testsupport.kafka.KafkaBrokerResource;
import dev.airlock.testsupport.kafka.KafkaTestClient;
import dev.airlock.testsupport.postgres.PostgresResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * An independent verifier: {@code openssl} checks the Ed25519 signatures of stored bundles (as the API returns their
 * exact bytes) and of an export file's checkpoint and sanitized projections, over DSSE PAE bytes built here from the
 * DSSE specification with a plain JSON parser, sharing no code with capsule-core.
 */
@QuarkusTest
@WithTestResource(EvidenceFixturesResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(value = KafkaBrokerResource.class, initArgs = @ResourceArg(name = KafkaBrokerResource.TOPICS,
        value = Stack.TOPICS))
class IndependentVerifierTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @InjectKafkaBroker
    KafkaBroker broker;

    @TempDir
    Path tmp;

    @Test
    void opensslVerifiesStoredAndExportedEnvelopes() throws Exception {
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            kafka.send(Topics.EVIDENCE_RAW, "openssl-1", Fixtures.bundle("openssl-1", Fixtures.SANITIZED_ENV,
                    "APPLIED"));
            kafka.send(Topics.EVIDENCE_RAW, "openssl-2", Fixtures.bundle("openssl-2", Fixtures.SANITIZED_ENV,
                    "REJECTED"));
        }
        Api.awaitEntries("openssl-1", 1);
        Api.awaitEntries("openssl-2", 1);
        Path runner = pem("runner.pub.pem", Fixtures.PKI.of("runner.edge-7").publicKey().toPem());
        Path gateway = pem("gateway.pub.pem", Fixtures.PKI.of("gateway.enclave-1").publicKey().toPem());
        Path evidence = pem("evidence.pub.pem", Fixtures.evidenceKey().publicKey().toPem());

        // Stored bundles, exactly as the API returns their bytes.
        assertEquals(0, verify(JSON.readTree(Api.entryBytes("openssl-1", 0)), runner, "stored-1"));
        assertEquals(0, verify(JSON.readTree(Api.entryBytes("openssl-2", 0)), gateway, "stored-2"));
        // The runner's key does not verify the gateway's bundle.
        assertNotEquals(0, verify(JSON.readTree(Api.entryBytes("openssl-2", 0)), runner, "wrong-key"));

        // An export file: the checkpoint and every sanitized projection under the evidence key.
        byte[] export = RestAssured.get("/api/export?environment=" + Fixtures.SANITIZED_ENV).then().statusCode(200)
                .header("Content-Disposition", org.hamcrest.Matchers.containsString("attachment"))
                .extract().asByteArray();
        JsonNode file = JSON.readTree(export);
        assertEquals(0, verify(file.get("checkpoint"), evidence, "checkpoint"));
        assertTrue(file.get("entries").size() >= 2, file::toString);
        int i = 0;
        for (JsonNode e : file.get("entries")) {
            assertEquals(0, verify(e.get("sanitized"), evidence, "sanitized-" + i++));
        }
        // A flipped byte in the payload does not verify.
        JsonNode first = file.get("entries").get(0).get("sanitized");
        byte[] payload = Base64.getDecoder().decode(first.get("payload").asText());
        payload[payload.length / 2] ^= 1;
        ((com.fasterxml.jackson.databind.node.ObjectNode) first).put("payload",
                Base64.getEncoder().encodeToString(payload));
        assertNotEquals(0, verify(first, evidence, "flipped"));
    }

    private Path pem(String name, String pem) throws IOException {
        return Files.writeString(tmp.resolve(name), pem);
    }

    /** openssl pkeyutl -verify over PAE(payloadType, payload) with the envelope's first signature; the exit code. */
    private int verify(JsonNode envelope, Path publicKey, String name) throws Exception {
        String type = envelope.get("payloadType").asText();
        byte[] body = Base64.getDecoder().decode(envelope.get("payload").asText());
        byte[] sig = Base64.getDecoder().decode(envelope.get("signatures").get(0).get("sig").asText());
        Path pae = Files.write(tmp.resolve(name + ".pae"), pae(type, body));
        Path sigFile = Files.write(tmp.resolve(name + ".sig"), sig);
        return openssl("pkeyutl", "-verify", "-pubin", "-inkey", publicKey.toString(), "-rawin", "-in", pae.toString(),
                "-sigfile", sigFile.toString());
    }

    /** DSSE v1 PAE: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, LEN in bytes as ASCII decimal. */
    static byte[] pae(String type, byte[] body) {
        byte[] t = type.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(("DSSEv1 " + t.length + " ").getBytes(StandardCharsets.US_ASCII));
        o.writeBytes(t);
        o.writeBytes((" " + body.length + " ").getBytes(StandardCharsets.US_ASCII));
        o.writeBytes(body);
        return o.toByteArray();
    }

    private int openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            return fail("openssl is required for the independent verifier check: " + e.getMessage());
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        if (p.exitValue() == 0) {
            assertTrue(out.contains("Signature Verified Successfully"), out);
        }
        return p.exitValue();
    }
}
