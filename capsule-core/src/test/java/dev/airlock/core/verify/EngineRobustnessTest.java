package dev.airlock.core.verify;

import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.dsse.Dsse;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.dsse.PayloadTypes;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.InMemoryPolicyStore;
import dev.airlock.core.policy.PolicyTrust;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.testing.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ARCHITECTURE §1 invariant 6: bad input gets a clear, named reason, never a stack trace. Seeded mutations of every
 * layer a sender controls — the unsigned container bytes, a validly re-signed capsule payload, its patch text, an
 * approval payload, and a root-signed policy — go through the production engine and policy loader; every outcome must be
 * a verdict (or a {@link VerificationException}) and never any other exception. The mutation counts are small enough to
 * run in every build; the seeds make failures reproducible.
 */
@Timeout(120)
class EngineRobustnessTest {
    private static final TestPki PKI = new TestPki();
    private static final TrustedPolicy POLICY = PKI.trusted();
    private static final VerificationEngine ENGINE = new VerificationEngine(TestPki.clock());
    private static final String SYMBOLS = "{}[]\":,\\ \n\t0123456789-+.eE/aZ\u00e9\u202e%";

    private final Map<String, Integer> crashes = new TreeMap<>();
    private final Map<ReasonCode, Integer> reasons = new EnumMap<>(ReasonCode.class);

    @Test
    void mutatedContainerBytes() {
        byte[] good = PKI.admissible();
        Random r = new Random(1);
        for (int i = 0; i < 600; i++) {
            verify(mutateBytes(good, r));
        }
        report("container");
    }

    @Test
    void mutatedCapsulePayloadValidlyResigned() {
        String json = str(StrictJson.write(PKI.capsule()));
        Random r = new Random(2);
        for (int i = 0; i < 400; i++) {
            byte[] payload = utf8(mutateText(json, r));
            Envelope c = Dsse.sign(PayloadTypes.CAPSULE, payload, PKI.of("fleet.dependency-bump"));
            verify(TestPki.bundle(c));
        }
        report("capsule payload");
    }

    @Test
    void mutatedPatchValidlyResigned() {
        Random r = new Random(3);
        for (int i = 0; i < 400; i++) {
            String patch = mutateText(TestPki.POM_PATCH, r);
            Capsule c;
            try {
                c = PKI.capsule(x -> x.with(s -> s.patch = patch));
            } catch (IllegalArgumentException e) {
                continue; // the record itself refuses it; the engine would say MALFORMED
            }
            Envelope env = PKI.signCapsule(c);
            verify(TestPki.bundle(env, PKI.approve(env, "alice", "service-owner"), PKI.approve(env, "bob", "security-officer")));
        }
        report("patch");
        assertTrue(reasons.containsKey(ReasonCode.SCOPE_VIOLATION) || reasons.containsKey(ReasonCode.MALFORMED),
                "patch mutations should reach the patch parser: " + reasons);
    }

    @Test
    void mutatedApprovalPayloadValidlyResigned() {
        Envelope c = PKI.signCapsule(PKI.capsule());
        Envelope alice = PKI.approve(c, "alice", "service-owner");
        String bob = str(PKI.approve(c, "bob", "security-officer").payloadBytes());
        Random r = new Random(4);
        for (int i = 0; i < 300; i++) {
            Envelope a = Dsse.sign(PayloadTypes.APPROVAL, utf8(mutateText(bob, r)), PKI.of("bob"));
            verify(TestPki.bundle(c, alice, a));
        }
        report("approval payload");
    }

    @Test
    void mutatedPolicyValidlyRootSigned() {
        String json = str(StrictJson.write(PKI.policy(1)));
        Random r = new Random(5);
        int accepted = 0;
        for (int i = 0; i < 250; i++) {
            byte[] env = Dsse.sign(PayloadTypes.POLICY, utf8(mutateText(json, r)), PKI.root(1), PKI.root(2)).toJson();
            try {
                new PolicyTrust(TestPki.clock()).accept(env, Optional.empty(), new InMemoryPolicyStore());
                accepted++;
            } catch (VerificationException e) {
                reasons.merge(e.reason(), 1, Integer::sum);
            } catch (RuntimeException e) {
                crashes.merge(e.getClass().getSimpleName() + ": " + StrictJsonFirstLine.of(e), 1, Integer::sum);
            }
        }
        report("policy (" + accepted + " still valid)");
    }

    private void verify(byte[] bundle) {
        try {
            Verdict v = ENGINE.verify(bundle, TestPki.PROD, POLICY, new InMemoryLedger());
            assertNotNull(v.verdict());
            if (!v.isAdmitted()) {
                assertNotNull(v.reason());
                reasons.merge(v.reason(), 1, Integer::sum);
            }
        } catch (RuntimeException e) {
            crashes.merge(e.getClass().getSimpleName() + ": " + StrictJsonFirstLine.of(e), 1, Integer::sum);
        }
    }

    private void report(String what) {
        System.out.println("robustness " + what + ": " + reasons);
        assertEquals(Map.of(), crashes, what + ": runtime exceptions instead of a reason");
    }

    /** One random edit: flip, insert, delete or duplicate a byte range. */
    private static byte[] mutateBytes(byte[] in, Random r) {
        List<Byte> b = new ArrayList<>(in.length + 8);
        for (byte x : in) {
            b.add(x);
        }
        int edits = 1 + r.nextInt(3);
        for (int e = 0; e < edits && !b.isEmpty(); e++) {
            int i = r.nextInt(b.size());
            switch (r.nextInt(4)) {
                case 0 -> b.set(i, (byte) (b.get(i) ^ (1 << r.nextInt(8))));
                case 1 -> b.add(i, (byte) SYMBOLS.charAt(r.nextInt(SYMBOLS.length())));
                case 2 -> b.remove(i);
                default -> {
                    int len = Math.min(1 + r.nextInt(12), b.size() - i);
                    b.addAll(i, new ArrayList<>(b.subList(i, i + len)));
                }
            }
        }
        byte[] out = new byte[b.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.get(i);
        }
        return out;
    }

    /** One to three character edits, biased towards JSON and diff syntax. */
    private static String mutateText(String in, Random r) {
        StringBuilder s = new StringBuilder(in);
        int edits = 1 + r.nextInt(3);
        for (int e = 0; e < edits && s.length() > 0; e++) {
            int i = r.nextInt(s.length());
            switch (r.nextInt(4)) {
                case 0 -> s.setCharAt(i, SYMBOLS.charAt(r.nextInt(SYMBOLS.length())));
                case 1 -> s.insert(i, SYMBOLS.charAt(r.nextInt(SYMBOLS.length())));
                case 2 -> s.deleteCharAt(i);
                default -> {
                    int len = Math.min(1 + r.nextInt(24), s.length() - i);
                    s.insert(i, s.substring(i, i + len));
                }
            }
        }
        return s.toString();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String str(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static final class StrictJsonFirstLine {
        static String of(Throwable e) {
            String m = String.valueOf(e.getMessage());
            int nl = m.indexOf('\n');
            StackTraceElement top = e.getStackTrace().length > 0 ? e.getStackTrace()[0] : null;
            return (nl >= 0 ? m.substring(0, nl) : m) + (top == null ? "" : " at " + top);
        }
    }
}
