package dev.airlock.cli;

import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.evidence.EvidenceBundles;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.InMemoryPolicyStore;
import dev.airlock.core.policy.PolicyTrust;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.verify.VerificationException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

@Command(name = "evidence", mixinStandardHelpOptions = true, description = "Check evidence bundles and the evidence log.",
        subcommands = {EvidenceCommand.Verify.class, EvidenceProof.class})
final class EvidenceCommand extends Group {

    @Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Verify an evidence bundle: a DSSE envelope of an in-toto Statement "
                    + "signed by a runner or gateway principal of the policy, naming that principal as its producer.",
                    "With --capsule, the statement's subject must be that capsule's digest (else DIGEST_MISMATCH).",
                    "Prints {\"verdict\": \"verified\"|\"rejected\", …}; exit 0 verified, 3 rejected. The policy's expiry "
                            + "is not enforced here: evidence stays checkable after the policy it was produced under expired."})
    static final class Verify extends Leaf {
        @Option(names = "--bundle", required = true, paramLabel = "bundle.dsse.json", description = "The evidence bundle.")
        Path bundle;

        @Option(names = "--policy", required = true, paramLabel = "policy.dsse.json",
                description = "The signed policy whose runner/gateway keys may sign evidence.")
        Path policy;

        @Option(names = "--capsule", paramLabel = "signed-capsule.json",
                description = "The capsule the evidence must be about (signed-capsule.json or capsule.dsse.json).")
        Path capsule;

        @Override
        int execute() throws CliException {
            byte[] policyBytes = Io.readDocument(policy, "policy");
            byte[] bundleBytes = Io.readDocument(bundle, "evidence bundle");
            String expectedDigest = null;
            if (capsule != null) {
                Envelope c = Io.readCapsuleEnvelope(capsule);
                expectedDigest = c.payloadDigest();
            }
            TrustedPolicy trusted;
            try {
                trusted = new PolicyTrust(clock()).accept(policyBytes, Optional.empty(), new InMemoryPolicyStore(), false)
                        .policy();
            } catch (VerificationException e) {
                return rejected(e);
            }
            if (!clock().instant().isBefore(trusted.expiresAt())) {
                progress("note: policy version %d expired at %s; evidence produced under it is still checked against its keys",
                        trusted.version(), StrictJson.formatInstant(trusted.expiresAt()));
            }
            EvidenceBundles.Verified v;
            try {
                v = EvidenceBundles.verify(bundleBytes, trusted);
                if (expectedDigest != null) {
                    EvidenceBundles.requireSubject(v, expectedDigest);
                }
            } catch (VerificationException e) {
                return rejected(e);
            }
            var p = v.statement().predicate();
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("verdict", "verified");
            r.put("capsuleId", p.capsuleId());
            r.put("capsuleDigest", v.statement().capsuleDigest());
            r.put("environment", p.environment());
            r.put("outcome", p.outcome());
            r.put("signer", v.signer());
            r.put("policyVersion", trusted.version());
            r.put("subjectChecked", expectedDigest != null);
            result(r);
            return ExitCodes.OK;
        }

        private int rejected(VerificationException e) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("verdict", "rejected");
            r.put("reason", e.reason().name());
            r.put("detail", e.detail());
            result(r);
            progress("rejected: %s: %s", e.reason(), e.detail());
            return ExitCodes.REJECTED;
        }
    }
}
