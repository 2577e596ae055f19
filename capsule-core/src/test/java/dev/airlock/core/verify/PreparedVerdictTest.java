package dev.airlock.core.verify;

import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.testing.TestPki;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link VerificationEngine#prepare} runs every check but REPLAY; {@link VerificationEngine.Prepared#complete} adds
 * REPLAY in its §5 place. A prepared capsule must end in the verdict {@code verify} gives on the ledger as it is when
 * it is completed, not as it was when it was prepared (the gateway prepares a chunk in parallel and completes it in
 * order, recording each admission before the next capsule is completed).
 */
class PreparedVerdictTest {
    private final TestPki pki = new TestPki();
    private final TrustedPolicy policy = pki.trusted();
    private final VerificationEngine engine = new VerificationEngine(TestPki.clock());

    private static AdmissionLedger.Entry entry(Verdict v) {
        return new AdmissionLedger.Entry(v.capsuleId(), v.lineage(), v.sequence(), v.capsuleDigest(),
                v.policyVersion(), TestPki.NOW);
    }

    /** A ledger that already admitted the standard capsule (its id, lineage and sequence). */
    private InMemoryLedger holding(Envelope signed) {
        Capsule cap = pki.capsule();
        InMemoryLedger ledger = new InMemoryLedger();
        ledger.record(new AdmissionLedger.Entry(cap.capsuleId(), cap.lineage(), cap.sequence(), signed.payloadDigest(),
                1, TestPki.NOW.minus(Duration.ofMinutes(1))));
        return ledger;
    }

    @Test
    void aCapsulePreparedBeforeItsTwinWasAdmittedCompletesAsAReplay() {
        byte[] bytes = pki.admissible();
        VerificationEngine.Prepared first = engine.prepare(bytes, TestPki.PROD, policy);
        VerificationEngine.Prepared second = engine.prepare(bytes, TestPki.PROD, policy);
        InMemoryLedger ledger = new InMemoryLedger();

        Verdict admitted = first.complete(ledger);
        assertTrue(admitted.isAdmitted(), admitted.toJson());
        ledger.record(entry(admitted));
        Verdict replay = second.complete(ledger);

        assertEquals(ReasonCode.REPLAY, replay.reason(), replay.toJson());
        Verdict direct = engine.verify(bytes, TestPki.PROD, policy, ledger);
        assertEquals(direct.toJson(), replay.toJson(), "the same verdict as verify on the same ledger");
        assertEquals(admitted.capsuleId(), replay.capsuleId());
        assertEquals(2, replay.approvers().size(), "the approvers checked before REPLAY are named");
    }

    @Test
    void aLowerSequenceOfTheLineageIsAReplayAtCompletion() {
        Capsule c = pki.capsule();
        InMemoryLedger ledger = new InMemoryLedger();
        VerificationEngine.Prepared p = engine.prepare(pki.admissible(), TestPki.PROD, policy);
        ledger.record(new AdmissionLedger.Entry("0194f3c2-7b1e-7cc0-9a55-3f1f2d7c9a09", c.lineage(), c.sequence() + 1,
                "sha256:" + "0".repeat(64), 1, TestPki.NOW.minus(Duration.ofMinutes(1))));
        Verdict v = p.complete(ledger);
        assertEquals(ReasonCode.REPLAY, v.reason(), v.toJson());
        assertTrue(v.detail().contains("not above the last admitted"), v.detail());
    }

    @Test
    void replayComesBeforeTheChecksThatFollowIt() {
        // a traversal in the manifest is a SCOPE_VIOLATION, a later check than REPLAY
        Envelope c = pki.signCapsule(pki.capsule(s -> s.with(x -> x.files = List.of(
                new Capsule.FileChange("../pom.xml", x.files.get(0).before(), x.files.get(0).after())))));
        byte[] bytes = TestPki.bundle(c, pki.approve(c, "alice", "service-owner"),
                pki.approve(c, "bob", "security-officer"));
        VerificationEngine.Prepared p = engine.prepare(bytes, TestPki.PROD, policy);
        assertEquals(ReasonCode.SCOPE_VIOLATION, p.complete(new InMemoryLedger()).reason());

        InMemoryLedger holding = holding(c);
        Verdict v = p.complete(holding);
        assertEquals(ReasonCode.REPLAY, v.reason(), v.toJson());
        assertEquals(engine.verify(bytes, TestPki.PROD, policy, holding).toJson(), v.toJson());
    }

    @Test
    void aCheckBeforeReplayDecidesWhateverTheLedgerHolds() {
        Envelope c = pki.signCapsule(pki.capsule());
        // signed by a key the policy does not know: UNKNOWN_KEY, a check before REPLAY
        Envelope foreign = TestPki.signCapsule(pki.capsule(), TestPki.key("stranger"));
        byte[] bytes = TestPki.bundle(foreign, pki.approve(c, "alice", "service-owner"));
        VerificationEngine.Prepared p = engine.prepare(bytes, TestPki.PROD, policy);
        InMemoryLedger holding = holding(c);
        Verdict v = p.complete(holding);
        assertEquals(ReasonCode.UNKNOWN_KEY, v.reason(), v.toJson());
        assertSame(v, p.complete(new InMemoryLedger()), "decided before REPLAY: the ledger is not read");
        assertSame(policy, p.policy());
    }

    @Test
    void preparedOnManyThreadsTheVerdictsAreThoseOfVerifyInOrder() throws Exception {
        // one lineage, sequences 1..n, every other one delivered twice: completed in order on one ledger, the
        // parallel preparation must give exactly the sequential verdicts
        List<byte[]> inputs = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            int seq = i;
            Envelope c = pki.signCapsule(pki.capsule(s -> s.with(x -> {
                x.sequence = seq;
                x.capsuleId = String.format("0194f3c2-7b1e-7cc0-9a55-3f1f2d7c9b%02d", seq);
            })));
            byte[] b = TestPki.bundle(c, pki.approve(c, "alice", "service-owner"),
                    pki.approve(c, "bob", "security-officer"));
            inputs.add(b);
            if (i % 2 == 0) {
                inputs.add(b);
            }
        }
        List<Verdict> sequential = new ArrayList<>();
        InMemoryLedger a = new InMemoryLedger();
        for (byte[] b : inputs) {
            Verdict v = engine.verify(b, TestPki.PROD, policy, a);
            if (v.isAdmitted()) {
                a.record(entry(v));
            }
            sequential.add(v);
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<VerificationEngine.Prepared>> prepared = new ArrayList<>();
            for (byte[] b : inputs) {
                prepared.add(pool.submit(() -> engine.prepare(b, TestPki.PROD, policy)));
            }
            InMemoryLedger ledger = new InMemoryLedger();
            for (int i = 0; i < inputs.size(); i++) {
                Verdict v = prepared.get(i).get().complete(ledger);
                if (v.isAdmitted()) {
                    ledger.record(entry(v));
                }
                assertEquals(sequential.get(i).toJson(), v.toJson(), "input " + i);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(12, sequential.stream().filter(Verdict::isAdmitted).count());
        assertEquals(6, sequential.stream().filter(v -> v.reason() == ReasonCode.REPLAY).count());
    }
}
