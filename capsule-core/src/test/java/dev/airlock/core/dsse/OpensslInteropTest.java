package dev.airlock.core.dsse;

import dev.airlock.core.crypto.KeyAlgorithm;
import dev.airlock.core.crypto.PublicKeyHandle;
import dev.airlock.core.crypto.SignatureCheck;
import dev.airlock.core.crypto.SigningKey;
import dev.airlock.core.testing.Forge;
import dev.airlock.core.testing.TestPki;
import dev.airlock.core.verify.VerificationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DSSE against an independent implementation: OpenSSL 3 (installed here and in CI; a missing {@code openssl} fails the
 * test, it does not skip). Our envelopes verify with {@code openssl}, and {@code openssl}'s keys and signatures verify
 * with {@link Dsse#verify} through {@link SigningKey#fromPem} / {@link PublicKeyHandle#fromPem}.
 *
 * <p>Commands (run in a temporary directory):
 * <pre>
 * openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -in pae.bin -sigfile sig.bin      # Ed25519
 * openssl dgst -sha256 -verify pub.pem -signature sig.der pae.bin                         # ECDSA P-256
 * openssl genpkey -algorithm ed25519 -out key.pem
 * openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pem
 * openssl pkey -in key.pem -pubout -out pub.pem
 * openssl pkeyutl -sign -inkey key.pem -rawin -in pae.bin -out sig.bin                    # Ed25519
 * openssl dgst -sha256 -sign key.pem -out sig.der pae.bin                                 # ECDSA P-256
 * </pre>
 */
@Timeout(120)
class OpensslInteropTest {
    private static final String TYPE = PayloadTypes.CAPSULE;

    private record Run(int exit, String output) {
    }

    private static Run openssl(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "openssl did not finish: " + cmd);
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8).strip());
    }

    private static void ok(Run r, String what) {
        assertEquals(0, r.exit(), what + ": " + r.output());
    }

    private static byte[] flip(byte[] b, int i) {
        byte[] c = b.clone();
        c[i] ^= 0x01;
        return c;
    }

    @Test
    void opensslIsAvailableAndVersion3() throws Exception {
        Run v = openssl(Path.of("."), "version");
        ok(v, "openssl version");
        assertTrue(v.output().startsWith("OpenSSL 3."), v.output());
    }

    /** Our Ed25519 envelope, read back from its JSON file, verifies with openssl; a flipped byte does not. */
    @Test
    void ourEd25519EnvelopeVerifiesWithOpenssl(@TempDir Path dir) throws Exception {
        SigningKey key = TestPki.key("openssl-ed25519");
        Files.write(dir.resolve("envelope.json"), Dsse.sign(TYPE, payload(), key).toJson());
        Envelope env = Envelope.parse(Files.readAllBytes(dir.resolve("envelope.json")));
        byte[] pae = Dsse.pae(env.payloadType(), env.payloadBytes());
        byte[] sig = env.signatures().get(0).sigBytes();
        Files.write(dir.resolve("pae.bin"), pae);
        Files.write(dir.resolve("sig.bin"), sig);
        Files.writeString(dir.resolve("pub.pem"), key.publicKey().toPem());
        String[] verify = {"pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-in", "pae.bin",
                "-sigfile", "sig.bin"};
        ok(openssl(dir, verify), "openssl pkeyutl -verify (Ed25519)");

        Files.write(dir.resolve("pae.bin"), flip(pae, pae.length - 1));
        assertNotEquals(0, openssl(dir, verify).exit(), "a flipped payload byte must fail");
        Files.write(dir.resolve("pae.bin"), flip(pae, 8)); // inside the payloadType length/field
        assertNotEquals(0, openssl(dir, verify).exit(), "a flipped header byte must fail");
        Files.write(dir.resolve("pae.bin"), pae);
        Files.write(dir.resolve("sig.bin"), flip(sig, 5));
        assertNotEquals(0, openssl(dir, verify).exit(), "a flipped signature byte must fail");
    }

    /** Our P-256 envelope (strict DER, low-S) verifies with openssl; a flipped byte does not. */
    @Test
    void ourP256EnvelopeVerifiesWithOpenssl(@TempDir Path dir) throws Exception {
        SigningKey key = TestPki.p256Key("openssl-p256");
        Files.write(dir.resolve("envelope.json"), Dsse.sign(TYPE, payload(), key).toJson());
        Envelope env = Envelope.parse(Files.readAllBytes(dir.resolve("envelope.json")));
        byte[] pae = Dsse.pae(env.payloadType(), env.payloadBytes());
        byte[] sig = env.signatures().get(0).sigBytes();
        Files.write(dir.resolve("pae.bin"), pae);
        Files.write(dir.resolve("sig.der"), sig);
        Files.writeString(dir.resolve("pub.pem"), key.publicKey().toPem());
        String[] verify = {"dgst", "-sha256", "-verify", "pub.pem", "-signature", "sig.der", "pae.bin"};
        Run r = openssl(dir, verify);
        ok(r, "openssl dgst -sha256 -verify (P-256)");
        assertTrue(r.output().contains("Verified OK"), r.output());

        Files.write(dir.resolve("pae.bin"), flip(pae, pae.length - 1));
        assertNotEquals(0, openssl(dir, verify).exit(), "a flipped payload byte must fail");
        Files.write(dir.resolve("pae.bin"), pae);
        Files.write(dir.resolve("sig.der"), flip(sig, sig.length - 1));
        assertNotEquals(0, openssl(dir, verify).exit(), "a flipped signature byte must fail");
    }

    /** openssl's Ed25519 key files load through our PEM readers; its signature over the PAE verifies in Dsse.verify. */
    @Test
    void opensslEd25519KeysAndSignaturesVerifyWithDsse(@TempDir Path dir) throws Exception {
        ok(openssl(dir, "genpkey", "-algorithm", "ed25519", "-out", "key.pem"), "genpkey ed25519");
        ok(openssl(dir, "pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem"), "pkey -pubout");
        PublicKeyHandle pub = PublicKeyHandle.fromPem(Files.readString(dir.resolve("pub.pem")));
        SigningKey priv = SigningKey.fromPem(Files.readString(dir.resolve("key.pem")));
        assertEquals(KeyAlgorithm.ED25519, pub.algorithm());
        assertEquals(pub, priv.publicKey(), "openssl's private and public files are one key for us too");

        byte[] payload = payload();
        byte[] pae = Dsse.pae(TYPE, payload);
        Files.write(dir.resolve("pae.bin"), pae);
        ok(openssl(dir, "pkeyutl", "-sign", "-inkey", "key.pem", "-rawin", "-in", "pae.bin", "-out", "sig.bin"),
                "pkeyutl -sign");
        byte[] sig = Files.readAllBytes(dir.resolve("sig.bin"));
        assertEquals(64, sig.length);
        // Ed25519 is deterministic: our signer with openssl's key produces openssl's exact bytes.
        assertArrayEquals(sig, priv.sign(pae));

        Envelope env = envelope(payload, pub, sig);
        assertEquals(Set.of(pub), Dsse.verify(env, KeyRing.of(pub)).verifiedKeys());
        Envelope tampered = envelope(flip(payload, 3), pub, sig);
        assertTrue(Dsse.verify(tampered, KeyRing.of(pub)).verifiedKeys().isEmpty());
    }

    /**
     * openssl's P-256 keys load; its ECDSA signatures (random nonces, so high-S about half the time) verify in
     * Dsse.verify when low-S, and when high-S are refused with HIGH_S while their low-S twin (r, n-s) verifies.
     */
    @Test
    void opensslP256KeysAndSignaturesVerifyWithDsse(@TempDir Path dir) throws Exception {
        ok(openssl(dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "key.pem"),
                "genpkey EC P-256");
        ok(openssl(dir, "pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem"), "pkey -pubout");
        assertTrue(Files.readString(dir.resolve("key.pem")).startsWith("-----BEGIN PRIVATE KEY-----"), "PKCS#8");
        PublicKeyHandle pub = PublicKeyHandle.fromPem(Files.readString(dir.resolve("pub.pem")));
        SigningKey priv = SigningKey.fromPem(Files.readString(dir.resolve("key.pem")));
        assertEquals(KeyAlgorithm.ECDSA_P256, pub.algorithm());
        assertEquals(pub, priv.publicKey());

        byte[] payload = payload();
        byte[] pae = Dsse.pae(TYPE, payload);
        Files.write(dir.resolve("pae.bin"), pae);
        int low = 0;
        int high = 0;
        for (int i = 0; i < 6; i++) {
            ok(openssl(dir, "dgst", "-sha256", "-sign", "key.pem", "-out", "sig.der", "pae.bin"), "dgst -sign");
            byte[] sig = Files.readAllBytes(dir.resolve("sig.der"));
            BigInteger[] rs = Forge.decodeDer(sig);
            Dsse.Result r = Dsse.verify(envelope(payload, pub, sig), KeyRing.of(pub));
            if (rs[1].compareTo(Forge.P256_N.shiftRight(1)) <= 0) {
                low++;
                assertEquals(Set.of(pub), r.verifiedKeys(), "openssl low-S signature " + i);
            } else {
                high++;
                assertTrue(r.verifiedKeys().isEmpty(), "high-S must not count");
                assertEquals(SignatureCheck.HIGH_S, r.failures().get(0).check());
                assertEquals(SignatureCheck.VALID, pub.check(pae, sig, false), "it is valid ECDSA all the same");
                byte[] twin = Forge.encodeDer(rs[0], Forge.P256_N.subtract(rs[1]));
                assertEquals(Set.of(pub), Dsse.verify(envelope(payload, pub, twin), KeyRing.of(pub)).verifiedKeys());
            }
            assertTrue(Dsse.verify(envelope(flip(payload, 0), pub, sig), KeyRing.of(pub)).verifiedKeys().isEmpty());
        }
        assertEquals(6, low + high);
        // And the reverse direction with the openssl key: our signature verifies in openssl.
        Files.write(dir.resolve("ours.der"), priv.sign(pae));
        ok(openssl(dir, "dgst", "-sha256", "-verify", "pub.pem", "-signature", "ours.der", "pae.bin"),
                "openssl verifies our signature with its own key");
    }

    private static Envelope envelope(byte[] payload, PublicKeyHandle key, byte[] sig) throws VerificationException {
        byte[] json = Envelope.of(TYPE, payload, List.of(new Envelope.Signature(key.keyid(),
                Base64.getEncoder().encodeToString(sig)))).toJson();
        return Envelope.parse(json);
    }

    /** A real capsule payload (non-ASCII free JSON of a few hundred bytes). */
    private static byte[] payload() {
        return dev.airlock.core.json.StrictJson.write(new TestPki().capsule());
    }
}
