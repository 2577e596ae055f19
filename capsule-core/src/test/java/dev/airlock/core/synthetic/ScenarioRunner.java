package dev.airlock.core.synthetic;

import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.FilePolicyStore;
import dev.airlock.core.policy.PolicyStore;
import dev.airlock.core.policy.PolicyTrust;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.testing.TestPki;
import dev.airlock.core.verify.FileLedger;
import dev.airlock.core.verify.Verdict;
import dev.airlock.core.verify.VerificationEngine;
import dev.airlock.core.verify.VerificationException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs one scenario folder the way {@code airlock capsule verify --state state --policy policy.dsse.json --environment ENV
 * --capsule signed-capsule.json --now NOW} does: the folder's {@code state/} directory (the CLI's layout:
 * {@code state/policies/policy-v<N>.dsse.json} and {@code state/ledger.jsonl}) is copied into a fresh directory, so the
 * fixtures are never written to; the history is replayed by the production {@link FilePolicyStore},
 * {@code policy.dsse.json} is offered to {@link PolicyTrust} (trust on install when there is no history) and installed
 * when new, and the signed capsule goes through the production {@link VerificationEngine}.
 */
public final class ScenarioRunner {
    public static final String POLICY = "policy.dsse.json";
    public static final String CAPSULE = "signed-capsule.json";
    public static final String STATE = "state";
    public static final String POLICIES = "policies";
    public static final String LEDGER = "ledger.jsonl";
    public static final String NOW = "now.txt";
    public static final String ENVIRONMENT = "environment.txt";
    public static final String EXPECTED = "expected.json";
    public static final String README = "README.md";
    static final Pattern HISTORY = Pattern.compile("^policy-v[0-9]+\\.dsse\\.json$");

    private ScenarioRunner() {
    }

    /** What the command would print: the verdict (with reason and detail) and the policy version in force after it. */
    public record Outcome(Verdict verdict, Long policyInForce) {
    }

    public static Outcome run(Path folder, Path stateDir) throws IOException, VerificationException {
        Instant now = Files.exists(folder.resolve(NOW))
                ? StrictJson.parseInstant(Files.readString(folder.resolve(NOW), StandardCharsets.UTF_8).strip())
                : TestPki.NOW;
        Clock clock = Clock.fixed(now, ZoneOffset.UTC);
        String environment = Files.exists(folder.resolve(ENVIRONMENT))
                ? Files.readString(folder.resolve(ENVIRONMENT), StandardCharsets.UTF_8).strip()
                : TestPki.PROD;

        Files.createDirectories(stateDir.resolve(POLICIES));
        Path given = folder.resolve(STATE);
        if (Files.isDirectory(given.resolve(POLICIES))) {
            try (Stream<Path> s = Files.list(given.resolve(POLICIES))) {
                for (Path p : s.toList()) {
                    if (!HISTORY.matcher(p.getFileName().toString()).matches()) {
                        throw new IOException("unexpected file in the policy history: " + p);
                    }
                    Files.copy(p, stateDir.resolve(POLICIES).resolve(p.getFileName()));
                }
            }
        }
        if (Files.exists(given.resolve(LEDGER))) {
            Files.copy(given.resolve(LEDGER), stateDir.resolve(LEDGER));
        }
        // The enclave's state: a history that was accepted link by link before (a broken fixture chain throws here).
        PolicyStore store = new FilePolicyStore(stateDir.resolve(POLICIES), clock);
        FileLedger ledger = new FileLedger(stateDir.resolve(LEDGER));

        byte[] offered = Files.readAllBytes(folder.resolve(POLICY));
        byte[] capsule = Files.readAllBytes(folder.resolve(CAPSULE));
        Optional<TrustedPolicy> before = store.current();
        try {
            PolicyTrust.Accepted a = new PolicyTrust(clock).accept(offered, before, store);
            if (a.changed()) {
                store.install(a.policy());
            }
        } catch (VerificationException e) {
            Verdict v = new Verdict(Verdict.REJECTED, e.reason(), e.detail(), null, null, environment, null,
                    before.map(TrustedPolicy::version).orElse(null), null, List.of(), null, null, null, null);
            return new Outcome(v, before.map(TrustedPolicy::version).orElse(null));
        }
        TrustedPolicy inForce = store.current().orElseThrow();
        Verdict v = new VerificationEngine(clock).verify(capsule, environment, inForce, ledger);
        return new Outcome(v, inForce.version());
    }
}
