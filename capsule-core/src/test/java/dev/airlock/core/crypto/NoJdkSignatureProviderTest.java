package dev.airlock.core.crypto;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ARCHITECTURE §2: signatures go through BouncyCastle's lightweight API with our strict pre-checks, never through the
 * JCA ({@code java.security.Signature}, whose EC implementation on Java 17 is SunEC). Scans the constant pools of every
 * compiled production class of capsule-core for references to the JCA signature and key machinery.
 */
class NoJdkSignatureProviderTest {
    /** Internal names a production class must never reference. */
    private static final List<String> FORBIDDEN = List.of(
            "java/security/Signature",
            "java/security/KeyFactory",
            "java/security/KeyPairGenerator",
            "java/security/Security",
            "java/security/spec/ECPublicKeySpec",
            "java/security/spec/EdECPublicKeySpec",
            "java/security/interfaces/ECPublicKey",
            "javax/crypto/",
            "sun/security/ec",
            "SunEC",
            "org/bouncycastle/jce/provider/BouncyCastleProvider",
            "org/bouncycastle/jcajce/provider");

    @Test
    void noProductionClassReferencesTheJcaSignatureMachinery() throws IOException, URISyntaxException {
        Path classes = Path.of(PublicKeyHandle.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Map<String, List<String>> hits = new TreeMap<>();
        int scanned = 0;
        boolean sawBouncyCastle = false;
        boolean sawMessageDigest = false;
        try (Stream<Path> walk = Files.walk(classes)) {
            for (Path p : walk.filter(f -> f.toString().endsWith(".class")).toList()) {
                scanned++;
                // Constant-pool UTF-8 entries are plain bytes; ISO-8859-1 maps them one to one.
                String pool = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
                for (String f : FORBIDDEN) {
                    if (pool.contains(f)) {
                        hits.computeIfAbsent(classes.relativize(p).toString(), x -> new ArrayList<>()).add(f);
                    }
                }
                sawBouncyCastle |= pool.contains("org/bouncycastle/math/ec/rfc8032/Ed25519");
                sawMessageDigest |= pool.contains("java/security/MessageDigest");
            }
        }
        // Positive controls: the scan sees the production classes, BouncyCastle's raw Ed25519, and JDK references.
        assertTrue(scanned > 30, "scanned only " + scanned + " classes under " + classes);
        assertTrue(sawBouncyCastle, "BouncyCastle's rfc8032 Ed25519 should be referenced");
        assertTrue(sawMessageDigest, "the scan should see JDK references (MessageDigest for SHA-256)");
        assertEquals(Map.of(), hits, "production classes referencing the JCA signature machinery");
    }
}
