package dev.airlock.core.verify;

import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.testing.TestPki;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VerificationEngineTest {
    private final TestPki pki = new TestPki();
    private final TrustedPolicy policy = pki.trusted();
    private final VerificationEngine engine = new VerificationEngine(TestPki.clock());

    @Test
    void admitsAWellApprovedCapsule() {
        Verdict v = engine.verify(pki.admissible(), TestPki.PROD, policy, new InMemoryLedger());
        assertTrue(v.isAdmitted(), v.toJson());
        assertNull(v.reason());
        assertEquals("apply", v.effectiveMode());
        assertEquals(2, v.approvers().size());
    }

    @Test
    void oneApprovalIsNotEnoughForT2() {
        Envelope c = pki.signCapsule(pki.capsule());
        Verdict v = engine.verify(TestPki.bundle(c, pki.approve(c, "alice", "service-owner")), TestPki.PROD, policy,
                new InMemoryLedger());
        assertEquals(ReasonCode.THRESHOLD_NOT_MET, v.reason(), v.toJson());
    }

    @Test
    void traversalInTheManifestIsAScopeViolation() {
        Envelope c = pki.signCapsule(pki.capsule(s -> s.with(x -> x.files = java.util.List.of(
                new dev.airlock.core.capsule.Capsule.FileChange("../pom.xml", x.files.get(0).before(),
                        x.files.get(0).after())))));
        Verdict v = engine.verify(TestPki.bundle(c, pki.approve(c, "alice", "service-owner"),
                pki.approve(c, "bob", "security-officer")), TestPki.PROD, policy, new InMemoryLedger());
        assertEquals(ReasonCode.SCOPE_VIOLATION, v.reason(), v.toJson());
    }
}
