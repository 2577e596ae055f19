package dev.airlock.approval.support;

import dev.airlock.core.capsule.Approval;
import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.crypto.SigningKey;
import dev.airlock.core.dsse.Dsse;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.dsse.PayloadTypes;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.Policy;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.testing.TestPki;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Documents for the approval tests, all from capsule-core's {@link TestPki}. The policy is TestPki's standard policy
 * with one addition: tier T2 also grants {@code autoApprove} in {@code staging}, where it requires a ticket — the case
 * in which automation must not approve.
 */
public final class Fixtures {
    public static final TestPki PKI = new TestPki();
    public static final String PASSWORD = "airlock";

    private Fixtures() {
    }

    public static Policy policy() {
        Policy std = PKI.policy(1);
        Map<String, Policy.Tier> tiers = new LinkedHashMap<>(std.tiers());
        Policy.Tier t2 = tiers.get("T2");
        tiers.put("T2", new Policy.Tier(t2.authorize(), t2.minApprovals(), t2.requiredRoles(),
                List.of(TestPki.STAGING), t2.requireTicket()));
        return new Policy(std.schema(), std.version(), std.issuedAt(), std.expiresAt(), std.root(), std.principals(),
                tiers, std.environments());
    }

    public static byte[] policyEnvelope() {
        return PKI.signPolicy(policy(), PKI.root(1), PKI.root(2));
    }

    public static TrustedPolicy trusted() {
        return TestPki.trust(policyEnvelope());
    }

    /** A fresh capsule id per test, so tests sharing one application never see each other's capsules. */
    public static String newId() {
        return UUID.randomUUID().toString();
    }

    public static Capsule capsule(String id, Consumer<TestPki.CapsuleSpec> tweak) {
        return PKI.capsule(s -> s.with(x -> {
            x.capsuleId = id;
            x.lineage = "payments-api:" + id;
            tweak.accept(x);
        }));
    }

    public static Envelope signed(Capsule c) {
        return PKI.signCapsule(c);
    }

    /** {@code airlock.proposal/v1} for {@code capsule}, with the planner's evidence. */
    public static byte[] proposal(Envelope capsule, String tier) {
        String json = "{\"schema\":\"airlock.proposal/v1\",\"capsule\":"
                + new String(capsule.toJson(), StandardCharsets.UTF_8) + ",\"tier\":\"" + tier + "\","
                + "\"reachability\":{\"reachable\":true,\"path\":[\"internet\",\"api-gateway\",\"payments-api\","
                + "\"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1\"]},"
                + "\"tierReasoning\":[\"reachable from the internet\",\"CISA KEV listed\",\"EPSS 0.97\"],"
                + "\"summary\":\"Bump log4j-core 2.14.1 to 2.17.1 in payments-api\",\"findingId\":\"fp-1\"}";
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /** An approval with every field chosen by the test, signed by {@code key}. */
    public static Envelope approval(Envelope capsule, String approver, String role, String decision, String ticket,
                                    String basis, Duration age, SigningKey key) {
        Capsule c = read(capsule);
        Approval a = new Approval(Approval.SCHEMA, capsule.payloadDigest(), c.capsuleId(), approver, role, decision,
                ticket, TestPki.NOW.minus(age), basis);
        return Dsse.sign(PayloadTypes.APPROVAL, StrictJson.write(a), key);
    }

    /** A normal review approval by {@code approver} with its own key and a valid ticket. */
    public static Envelope approve(Envelope capsule, String approver, String role) {
        return approval(capsule, approver, role, Approval.APPROVE, "CHG0012345", Approval.REVIEW,
                Duration.ofMinutes(5), PKI.of(approver));
    }

    public static Capsule read(Envelope capsule) {
        try {
            return StrictJson.read(capsule.payloadBytes(), Capsule.class, StrictJson.SIGNED);
        } catch (dev.airlock.core.verify.VerificationException e) {
            throw new IllegalStateException(e);
        }
    }
}
