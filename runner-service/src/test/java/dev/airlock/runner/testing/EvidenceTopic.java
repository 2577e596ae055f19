package dev.airlock.runner.testing;

import dev.airlock.core.events.Topics;
import dev.airlock.core.evidence.EvidenceBundles;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.verify.VerificationException;
import dev.airlock.testsupport.kafka.KafkaTestClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.ArrayList;
import java.util.List;

/** Reads {@code airlock.evidence.raw.v1} and verifies every bundle for one capsule against the standard test policy. */
public final class EvidenceTopic {

    private static final TrustedPolicy POLICY = Admissions.PKI.trusted();

    private EvidenceTopic() {
    }

    public static List<ConsumerRecord<String, byte[]>> records(KafkaTestClient kafka, String capsuleId) {
        return kafka.readAll(Topics.EVIDENCE_RAW).stream().filter(r -> capsuleId.equals(r.key())).toList();
    }

    /** The verified bundles keyed {@code capsuleId}; a bundle that does not verify fails the test. */
    public static List<EvidenceBundles.Verified> bundles(KafkaTestClient kafka, String capsuleId) {
        List<EvidenceBundles.Verified> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records(kafka, capsuleId)) {
            try {
                out.add(EvidenceBundles.verify(r.value(), POLICY));
            } catch (VerificationException e) {
                throw new AssertionError("evidence of " + capsuleId + " does not verify: " + e.getMessage(), e);
            }
        }
        return out;
    }
}
