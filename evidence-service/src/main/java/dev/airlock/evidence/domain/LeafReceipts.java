package dev.airlock.evidence.domain;

import dev.airlock.core.crypto.Hex;
import dev.airlock.core.crypto.PublicKeyHandle;
import dev.airlock.core.crypto.SigningKey;
import dev.airlock.core.dsse.Dsse;
import dev.airlock.core.dsse.PayloadTypes;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Locale;

/**
 * The evidence key's signature over {@code (log, index, leafHash)}, stored beside every leaf. Leaf hashes alone bind
 * content to a hash, and signed checkpoints bind hashes to a root; the receipt binds each hash to its index, so a
 * row whose entry, hash or index was changed by a direct SQL statement is pinned to the first bad index without
 * trusting anything else in the database (SECURITY-TESTS E.27). Signed over the DSSE PAE of
 * {@code application/vnd.airlock.evidence-leaf.v1+json}, payload
 * {@code {"schema":"airlock.evidence.leaf/v1","log":"…","index":N,"leafHash":"<hex>"}}.
 */
public final class LeafReceipts {
    private LeafReceipts() {
    }

    public static byte[] payload(String log, long index, byte[] leafHash) {
        return String.format(Locale.ROOT, "{\"schema\":\"airlock.evidence.leaf/v1\",\"log\":\"%s\",\"index\":%d,"
                + "\"leafHash\":\"%s\"}", log, index, Hex.encode(leafHash)).getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] sign(SigningKey key, String log, long index, byte[] leafHash) {
        return key.sign(Dsse.pae(PayloadTypes.EVIDENCE_LEAF, payload(log, index, leafHash)));
    }

    public static boolean verify(Collection<PublicKeyHandle> keys, String log, long index, byte[] leafHash,
                                 byte[] receipt) {
        if (receipt == null || leafHash == null) {
            return false;
        }
        byte[] pae = Dsse.pae(PayloadTypes.EVIDENCE_LEAF, payload(log, index, leafHash));
        for (PublicKeyHandle k : keys) {
            if (k.verify(pae, receipt)) {
                return true;
            }
        }
        return false;
    }
}
