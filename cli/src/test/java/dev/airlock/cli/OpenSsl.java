package dev.airlock.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The independent side of the interop tests: the {@code openssl} command line for keys and signatures, and DSSE's
 * PAE and ECDSA DER written here from their specifications, sharing no code with capsule-core.
 */
final class OpenSsl {
    /** Order of the P-256 group (SEC 2 §2.4.2). */
    static final BigInteger P256_N = new BigInteger("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16);

    private OpenSsl() {
    }

    record Result(int exit, String out) {
    }

    /** Runs openssl in {@code dir}; a missing openssl fails the test (CI installs it), it never skips. */
    static Result run(Path dir, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(Arrays.asList(args));
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "openssl did not finish: " + cmd);
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return fail("openssl is required for the independent DSSE checks and could not be run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        }
    }

    static void ok(Path dir, String... args) {
        Result r = run(dir, args);
        assertEquals(0, r.exit(), () -> "openssl " + String.join(" ", args) + " failed:\n" + r.out());
    }

    /**
     * DSSE v1 PAE (secure-systems-lab/dsse protocol.md): "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, where
     * LEN is the ASCII decimal count of bytes.
     */
    static byte[] pae(String payloadType, byte[] body) {
        byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(("DSSEv1 " + type.length + " ").getBytes(StandardCharsets.US_ASCII));
        o.writeBytes(type);
        o.writeBytes((" " + body.length + " ").getBytes(StandardCharsets.US_ASCII));
        o.writeBytes(body);
        return o.toByteArray();
    }

    static String sha256Hex(byte[] data) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code SEQUENCE { INTEGER r, INTEGER s }} → {r, s} (X9.62 / RFC 3279 §2.2.3). */
    static BigInteger[] decodeEcdsa(byte[] der) {
        assertEquals(0x30, der[0] & 0xff, "DER SEQUENCE");
        int pos = 2;
        BigInteger[] rs = new BigInteger[2];
        for (int i = 0; i < 2; i++) {
            assertEquals(0x02, der[pos] & 0xff, "DER INTEGER");
            int len = der[pos + 1] & 0xff;
            rs[i] = new BigInteger(Arrays.copyOfRange(der, pos + 2, pos + 2 + len));
            pos += 2 + len;
        }
        return rs;
    }

    static byte[] encodeEcdsa(BigInteger r, BigInteger s) {
        byte[] rb = r.toByteArray();
        byte[] sb = s.toByteArray();
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(0x30);
        o.write(4 + rb.length + sb.length);
        o.write(0x02);
        o.write(rb.length);
        o.writeBytes(rb);
        o.write(0x02);
        o.write(sb.length);
        o.writeBytes(sb);
        return o.toByteArray();
    }
}
