package dev.airlock.core.crypto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.core.testing.Forge;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SECURITY-TESTS A.1: every Wycheproof vector (C2SP/wycheproof {@code testvectors_v1}, copied under
 * {@code src/test/resources/wycheproof/}) through the production key path: {@link PublicKeyHandle#fromSpki} on the
 * group's DER key, then {@link PublicKeyHandle#check} (DER) or {@link PublicKeyHandle#checkP1363}. Every {@code valid}
 * vector verifies, every {@code invalid} one is rejected. A key the production path refuses at load counts as rejecting
 * its vectors, and a refused key under a {@code valid} vector is a failure.
 *
 * <p>{@code acceptable} vectors: the three files in use contain none (asserted, so a future copy that adds some fails
 * here until each flag is decided). {@link #ACCEPTABLE_ACCEPTED} lists the flags whose acceptable vectors Airlock
 * would accept, with the reason; it is empty, so every acceptable vector must be rejected.
 *
 * <p>Wycheproof's "valid" ECDSA vectors include high-S signatures, which are valid ECDSA. They are checked twice: with
 * {@code requireLowS=false} (Wycheproof semantics) they must verify, and under the envelope policy
 * ({@code requireLowS=true}) they must be refused with {@link SignatureCheck#HIGH_S} — and nothing else.
 */
class WycheproofTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Flags whose {@code acceptable} vectors Airlock accepts, with why. None: acceptable means must-reject. */
    private static final Map<String, String> ACCEPTABLE_ACCEPTED = Map.of();

    /** Per-file tally, printed for the record and asserted against the file's own counts. */
    static final class Tally {
        int valid;
        int invalid;
        int acceptable;
        int validVerified;
        int invalidRejected;
        int acceptableRejected;
        int keysRefused;
        int vectorsUnderRefusedKeys;
        int highS;
        int highSRefusedByEnvelopePolicy;
        final List<String> failures = new ArrayList<>();
        final Map<String, Map<String, Integer>> byFlag = new TreeMap<>();

        void flag(JsonNode t, String outcome) {
            for (JsonNode f : t.get("flags")) {
                byFlag.computeIfAbsent(t.get("result").asText() + " " + f.asText(), x -> new TreeMap<>())
                        .merge(outcome, 1, Integer::sum);
            }
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                    "valid %d (verified %d), invalid %d (rejected %d), acceptable %d (rejected %d), keys refused %d "
                            + "(%d vectors), high-S valid %d (refused under the envelope policy %d)",
                    valid, validVerified, invalid, invalidRejected, acceptable, acceptableRejected, keysRefused,
                    vectorsUnderRefusedKeys, highS, highSRefusedByEnvelopePolicy));
            byFlag.forEach((k, v) -> sb.append("\n  ").append(k).append(' ').append(v));
            return sb.toString();
        }
    }

    private interface Verifier {
        SignatureCheck check(PublicKeyHandle key, byte[] msg, byte[] sig, boolean requireLowS);
    }

    @Test
    void ed25519() throws IOException {
        Tally t = run("ed25519_test.json", (k, m, s, low) -> k.check(m, s, low), false);
        System.out.println("Wycheproof ed25519_test.json: " + t);
        assertEquals(88, t.valid);
        assertEquals(63, t.invalid);
        assertEquals(0, t.acceptable);
        assertEquals(0, t.highS);
    }

    @Test
    void ecdsaP256Der() throws IOException {
        Tally t = run("ecdsa_secp256r1_sha256_test.json", (k, m, s, low) -> k.check(m, s, low), true);
        System.out.println("Wycheproof ecdsa_secp256r1_sha256_test.json: " + t);
        assertEquals(174, t.valid);
        assertEquals(310, t.invalid);
        assertEquals(0, t.acceptable);
        assertTrue(t.highS > 0, "the file has high-S valid vectors; none seen means the classification is broken");
        assertEquals(t.highS, t.highSRefusedByEnvelopePolicy);
    }

    @Test
    void ecdsaP256P1363() throws IOException {
        Tally t = run("ecdsa_secp256r1_sha256_p1363_test.json", (k, m, s, low) -> k.checkP1363(m, s, low), true);
        System.out.println("Wycheproof ecdsa_secp256r1_sha256_p1363_test.json: " + t);
        assertEquals(173, t.valid);
        assertEquals(89, t.invalid);
        assertEquals(0, t.acceptable);
        assertTrue(t.highS > 0, "the file has high-S valid vectors; none seen means the classification is broken");
        assertEquals(t.highS, t.highSRefusedByEnvelopePolicy);
    }

    private static Tally run(String file, Verifier verifier, boolean ecdsa) throws IOException {
        JsonNode root;
        try (InputStream in = WycheproofTest.class.getResourceAsStream("/wycheproof/" + file)) {
            root = JSON.readTree(in);
        }
        Tally t = new Tally();
        int total = 0;
        for (JsonNode group : root.get("testGroups")) {
            PublicKeyHandle key = null;
            String refusal = null;
            try {
                key = PublicKeyHandle.fromSpki(Hex.decode(group.get("publicKeyDer").asText()));
                // The same key through the raw-point entry point must be the same key (identity is the canonical SPKI).
                PublicKeyHandle raw = ecdsa
                        ? PublicKeyHandle.p256(Hex.decode(group.get("publicKey").get("uncompressed").asText()))
                        : PublicKeyHandle.ed25519(Hex.decode(group.get("publicKey").get("pk").asText()));
                assertEquals(key, raw, file + ": SPKI and raw key decode differently");
            } catch (KeyFormatException e) {
                refusal = e.getMessage();
                t.keysRefused++;
            }
            for (JsonNode test : group.get("tests")) {
                total++;
                String result = test.get("result").asText();
                String id = "tcId " + test.get("tcId").asInt() + " (" + test.get("comment").asText() + ")";
                byte[] msg = Hex.decode(test.get("msg").asText());
                byte[] sig = Hex.decode(test.get("sig").asText());
                SignatureCheck lax = key == null ? null : verifier.check(key, msg, sig, false);
                boolean verified = lax == SignatureCheck.VALID;
                if (key == null) {
                    t.vectorsUnderRefusedKeys++;
                }
                t.flag(test, key == null ? "KEY_REFUSED" : lax.name());
                switch (result) {
                    case "valid" -> {
                        t.valid++;
                        if (verified) {
                            t.validVerified++;
                        } else {
                            t.failures.add(id + ": valid vector " + (key == null ? "under a refused key: " + refusal
                                    : "not verified: " + lax));
                        }
                        if (ecdsa && key != null) {
                            // Independent classification of high S from the encoding, then the envelope policy.
                            BigInteger s = file.contains("p1363")
                                    ? new BigInteger(1, java.util.Arrays.copyOfRange(sig, 32, 64))
                                    : Forge.decodeDer(sig)[1];
                            SignatureCheck strict = verifier.check(key, msg, sig, true);
                            if (s.compareTo(Forge.P256_N.shiftRight(1)) > 0) {
                                t.highS++;
                                if (strict == SignatureCheck.HIGH_S) {
                                    t.highSRefusedByEnvelopePolicy++;
                                } else {
                                    t.failures.add(id + ": high-S valid vector under the envelope policy gave " + strict);
                                }
                            } else if (strict != SignatureCheck.VALID) {
                                t.failures.add(id + ": low-S valid vector refused under the envelope policy: " + strict);
                            }
                        }
                    }
                    case "invalid", "acceptable" -> {
                        boolean acceptable = result.equals("acceptable");
                        if (acceptable) {
                            t.acceptable++;
                        } else {
                            t.invalid++;
                        }
                        boolean mayAccept = false;
                        for (JsonNode f : test.get("flags")) {
                            mayAccept |= acceptable && ACCEPTABLE_ACCEPTED.containsKey(f.asText());
                        }
                        if (verified && !mayAccept) {
                            t.failures.add(id + ": " + result + " vector " + test.get("flags") + " verified");
                        } else if (!verified) {
                            if (acceptable) {
                                t.acceptableRejected++;
                            } else {
                                t.invalidRejected++;
                            }
                        }
                        // The strict (envelope) mode may only be stricter.
                        if (key != null && verifier.check(key, msg, sig, true) == SignatureCheck.VALID && !verified) {
                            t.failures.add(id + ": strict mode accepted what lax mode refused");
                        }
                    }
                    default -> t.failures.add(id + ": unknown result " + result);
                }
            }
        }
        assertEquals(root.get("numberOfTests").asInt(), total, file + ": vectors read");
        assertEquals(List.of(), t.failures, file + ":\n" + t);
        assertEquals(t.valid, t.validVerified);
        assertEquals(t.invalid, t.invalidRejected);
        assertEquals(t.acceptable, t.acceptableRejected);
        assertEquals(Set.of(), ACCEPTABLE_ACCEPTED.keySet());
        return t;
    }
}
