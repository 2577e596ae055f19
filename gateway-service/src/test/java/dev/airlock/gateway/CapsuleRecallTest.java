package dev.airlock.gateway;

import dev.airlock.core.crypto.Hex;
import dev.airlock.core.crypto.KeyAlgorithm;
import dev.airlock.core.crypto.SigningKey;
import dev.airlock.core.events.Admission;
import dev.airlock.core.events.Topics;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.testing.TestPki;
import dev.airlock.core.verify.InMemoryLedger;
import dev.airlock.core.verify.VerificationEngine;
import dev.airlock.core.verify.Verdict;
import dev.airlock.gateway.domain.OutboxMessage;
import dev.airlock.gateway.service.CapsuleRecall;
import dev.airlock.gateway.testing.TestKafka;
import dev.airlock.testsupport.kafka.KafkaBroker;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link CapsuleRecall} against a real broker: after a restart, an admission whose outbox row keeps its capsule by
 * reference is put together again from the inbound record, byte for byte what was signed; a record whose bytes are not
 * the ones decided on, or that the broker no longer has, is refused (fail closed); rows that hold their whole value
 * pass through untouched.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CapsuleRecallTest {
    private final TestPki pki = new TestPki();
    private final SigningKey gateway = SigningKey.generate(KeyAlgorithm.ED25519);
    KafkaBroker broker;
    TestKafka kafka;

    @BeforeAll
    void broker() {
        broker = KafkaBroker.start();
        broker.createTopics(Topics.INBOUND);
        kafka = new TestKafka(broker);
    }

    @AfterAll
    void close() {
        kafka.close();
        broker.close();
    }

    /** What the Decider writes for an admitted capsule delivered as {@code sent} (v2: the signed statement). */
    private OutboxMessage row(byte[] capsule, RecordMetadata sent, Verdict v) {
        Admission.Issued issued = Admission.issue(v, capsule, Hex.digest(capsule), TestPki.NOW, "gateway.enclave-1",
                gateway);
        OutboxMessage m = reference(capsule, sent, v);
        m.value = issued.envelopeJson();
        return m;
    }

    /** What a gateway wrote before v2: the v1 payload head and the envelope's signatures. */
    private OutboxMessage rowV1(byte[] capsule, RecordMetadata sent, Verdict v) {
        Admission.Detachable d = Admission.decideDetachable(v, capsule, TestPki.NOW, "gateway.enclave-1", gateway);
        OutboxMessage m = reference(capsule, sent, v);
        m.value = d.head();
        m.signatures = new String(StrictJson.write(d.envelope().signatures()), StandardCharsets.UTF_8);
        return m;
    }

    private static OutboxMessage reference(byte[] capsule, RecordMetadata sent, Verdict v) {
        OutboxMessage m = new OutboxMessage();
        m.topic = Topics.ADMISSIONS;
        m.recordKey = v.capsuleId() + "@" + sent.offset();
        m.capsuleTopic = sent.topic();
        m.capsulePartition = sent.partition();
        m.capsuleOffset = sent.offset();
        m.capsuleDigest = Hex.digest(capsule);
        return m;
    }

    @Test
    void admissionsAreRebuiltFromTheInboundRecordAndAnythingElseIsRefused() throws Exception {
        byte[] capsule = pki.admissible();
        Verdict v = new VerificationEngine(TestPki.clock()).verify(capsule, TestPki.PROD, pki.trusted(),
                new InMemoryLedger());
        assertTrue(v.isAdmitted(), v.toJson());
        RecordMetadata first = kafka.send(Topics.INBOUND, v.capsuleId(), capsule);
        RecordMetadata second = kafka.send(Topics.INBOUND, v.capsuleId(), capsule);

        OutboxMessage good = row(capsule, first, v);
        OutboxMessage legacy = rowV1(capsule, first, v);
        OutboxMessage otherBytes = row(capsule, second, v);
        otherBytes.capsuleDigest = "sha256:" + "0".repeat(64); // decided on other bytes than the broker holds
        OutboxMessage gone = row(capsule, second, v);
        gone.capsuleOffset = second.offset() + 100; // beyond what the broker holds
        OutboxMessage whole = new OutboxMessage();
        whole.topic = Topics.EVIDENCE_RAW;
        whole.recordKey = "rejection";
        whole.value = "{\"whole\":true}".getBytes(StandardCharsets.UTF_8);

        CapsuleRecall.Outcome o = new CapsuleRecall(Map.of("bootstrap.servers", broker.bootstrapServers()))
                .rebuild(List.of(whole, good, otherBytes, legacy, gone));

        assertEquals(List.of(whole, good, legacy), o.ready(), "in their order, without the refused ones");
        assertEquals(List.of(otherBytes, gone), o.unrecoverable());
        assertArrayEquals(Admission.issue(v, capsule, null, TestPki.NOW, "gateway.enclave-1", gateway).toRecord(),
                good.toPublish(), "the same record, byte for byte, without signing again");
        assertEquals(v.capsuleDigest(), Admission.verify(good.toPublish(), Admission.ring(gateway.publicKey()))
                .capsuleDigest());
        assertArrayEquals(Admission.decide(v, capsule, TestPki.NOW, "gateway.enclave-1", gateway).toJson(),
                legacy.toPublish(), "a row written before v2: the same v1 envelope");
        assertEquals(Admission.SCHEMA, Admission.verify(legacy.toPublish(), Admission.ring(gateway.publicKey()))
                .schema());
        assertArrayEquals(whole.value, whole.toPublish());
        assertNull(otherBytes.record);
        assertNull(gone.record);
    }
}
