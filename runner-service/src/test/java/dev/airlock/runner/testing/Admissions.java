package dev.airlock.runner.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.crypto.Hex;
import dev.airlock.core.crypto.SigningKey;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.events.Admission;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.patch.DiffWriter;
import dev.airlock.core.scope.RepoPath;
import dev.airlock.core.testing.TestPki;
import dev.airlock.core.verify.VerificationException;
import dev.airlock.core.verify.Verdict;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Admissions as the gateway makes them, for the runner's tests: a capsule from {@link TestPki} (signed by its proposer,
 * approved by alice and bob), wrapped in an {@link Admission} (v2) and signed with the {@code gateway.enclave-1} key.
 */
public final class Admissions {

    public static final TestPki PKI = new TestPki();
    public static final String GATEWAY = "gateway.enclave-1";
    public static final String RUNNER = "runner.edge-7";

    private Admissions() {
    }

    /** A file edit of a capsule: {@code before} null creates the file, {@code after} null deletes it. */
    public record Edit(String path, String before, String after) {
    }

    public static Edit pomBump() {
        return new Edit("pom.xml", TestPki.POM_BEFORE, TestPki.POM_AFTER);
    }

    public static Capsule.ValidationStep step(String name, int timeoutSeconds, String... argv) {
        return new Capsule.ValidationStep(name, List.of(argv), timeoutSeconds);
    }

    /** The standard pom.xml bump for {@code repository}, validated by {@code steps}. */
    public static Capsule capsule(String capsuleId, String repository, Capsule.ValidationStep... steps) {
        return capsule(capsuleId, repository, List.of(pomBump()), List.of(steps));
    }

    public static Capsule capsule(String capsuleId, String repository, List<Edit> edits,
                                  List<Capsule.ValidationStep> steps) {
        StringBuilder patch = new StringBuilder();
        List<Capsule.FileChange> files = new ArrayList<>();
        for (Edit e : edits) {
            byte[] before = bytes(e.before());
            byte[] after = bytes(e.after());
            try {
                patch.append(DiffWriter.unifiedDiff(new RepoPath(e.path()), before, after, 3));
            } catch (VerificationException ex) {
                throw new IllegalStateException(ex);
            }
            files.add(new Capsule.FileChange(e.path(), before == null ? null : Hex.digest(before),
                    after == null ? null : Hex.digest(after)));
        }
        return PKI.capsule(spec -> spec.with(s -> {
            s.capsuleId = capsuleId;
            s.lineage = repository + ":" + capsuleId;
            s.target = new Capsule.Target(repository, "9c1e5a0");
            s.files = files;
            s.patch = patch.toString();
            s.validation = steps;
        }));
    }

    /** The signed capsule (§3.4) of {@code c}, approved by alice and bob. */
    public static byte[] signedCapsule(Capsule c) {
        Envelope env = PKI.signCapsule(c);
        return TestPki.bundle(env, PKI.approve(env, "alice", "service-owner"),
                PKI.approve(env, "bob", "security-officer"));
    }

    /** The gateway's admission of {@code c} with the given effective mode. */
    public static Admission admitted(Capsule c, String effectiveMode) {
        byte[] signed = signedCapsule(c);
        String digest = PKI.signCapsule(c).payloadDigest();
        return admitted(c, effectiveMode, digest, signed);
    }

    public static Admission admitted(Capsule c, String effectiveMode, String digest, byte[] signedCapsule) {
        JsonNode tree;
        try {
            tree = StrictJson.readTree(signedCapsule, StrictJson.SIGNED);
        } catch (VerificationException e) {
            throw new IllegalStateException(e);
        }
        List<Verdict.ApproverRef> approvers = List.of(
                new Verdict.ApproverRef("alice", "service-owner", "review", PKI.of("alice").keyid(), "CHG0012345"),
                new Verdict.ApproverRef("bob", "security-officer", "review", PKI.of("bob").keyid(), "CHG0012345"));
        return new Admission(Admission.SCHEMA_V2, Verdict.ADMITTED, null, "admitted", c.capsuleId(), digest,
                c.environment(), c.tier(), effectiveMode, c.policyVersion(), c.lineage(), c.sequence(), approvers,
                TestPki.NOW, GATEWAY, Hex.digest(StrictJson.write(tree)), tree);
    }

    /** A gateway rejection (no capsule attached). */
    public static Admission rejected(String capsuleId, String reason) {
        return new Admission(Admission.SCHEMA_V2, Verdict.REJECTED, reason, "rejected by the gateway", capsuleId,
                null, TestPki.PROD, null, null, null, null, null, List.of(), TestPki.NOW, GATEWAY, null, null);
    }

    /** The admission as it travels on the topic (v2): the statement signed by the gateway, the capsule beside it. */
    public static byte[] signed(Admission a) {
        return signed(a, PKI.of(GATEWAY));
    }

    public static byte[] signed(Admission a, SigningKey key) {
        return Admission.frame(statement(a).sign(key).toJson(), capsuleBytes(a));
    }

    /** What the gateway signs of a v2 admission: everything but the capsule, which it names by digest. */
    public static Admission statement(Admission a) {
        return new Admission(a.schema(), a.verdict(), a.reason(), a.detail(), a.capsuleId(), a.capsuleDigest(),
                a.environment(), a.tier(), a.effectiveMode(), a.policyVersion(), a.lineage(), a.sequence(),
                a.approvers(), a.decidedAt(), a.gateway(), a.signedCapsuleDigest(), null);
    }

    /** The signed capsule a v2 admission carries beside its statement (null for a rejection). */
    public static byte[] capsuleBytes(Admission a) {
        return a.signedCapsule() == null ? null : StrictJson.write(a.signedCapsule());
    }

    /** The same admission as a gateway wrote it before v2: one v1 envelope embedding the capsule. */
    public static byte[] signedV1(Admission a) {
        return signedV1(a, PKI.of(GATEWAY));
    }

    public static byte[] signedV1(Admission a, SigningKey key) {
        return new Admission(Admission.SCHEMA, a.verdict(), a.reason(), a.detail(), a.capsuleId(), a.capsuleDigest(),
                a.environment(), a.tier(), a.effectiveMode(), a.policyVersion(), a.lineage(), a.sequence(),
                a.approvers(), a.decidedAt(), a.gateway(), null, a.signedCapsule()).sign(key).toJson();
    }

    public static String digest(Capsule c) {
        return PKI.signCapsule(c).payloadDigest();
    }

    private static byte[] bytes(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }
}
