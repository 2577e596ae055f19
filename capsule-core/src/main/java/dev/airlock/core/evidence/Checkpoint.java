package dev.airlock.core.evidence;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.airlock.core.crypto.Hex;
import dev.airlock.core.crypto.SigningKey;
import dev.airlock.core.dsse.Dsse;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.dsse.PayloadTypes;
import dev.airlock.core.evidence.merkle.MerkleHash;
import dev.airlock.core.json.Checks;
import dev.airlock.core.json.StrictJson;

import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A tree head of the evidence log (ARCHITECTURE §3.6), the payload of a DSSE envelope of type
 * {@code application/vnd.airlock.checkpoint.v1+json} signed by the evidence service's key:
 * <pre>{"schema":"airlock.checkpoint/v1","log":"evidence.enclave-1","size":N,"rootHash":"&lt;64 hex&gt;",
 * "timestamp":"2026-11-25T10:00:00Z"}</pre>
 * {@code log} names the log by the evidence principal that keeps (and signs) it. {@code rootHash} is the RFC 9162
 * Merkle tree hash of the first {@code size} entries as lowercase hex, without a {@code sha256:} prefix: it is not a
 * digest of a document (the same convention for every Merkle hash Airlock prints: leaf hashes, proof hashes).
 */
@JsonPropertyOrder({"schema", "log", "size", "rootHash", "timestamp"})
public record Checkpoint(String schema, String log, long size, String rootHash, Instant timestamp) {
    public static final String SCHEMA = "airlock.checkpoint/v1";
    private static final Pattern HASH = Pattern.compile("^[0-9a-f]{64}$");

    public Checkpoint {
        if (!SCHEMA.equals(schema)) {
            throw new IllegalArgumentException("unknown schema '" + schema + "', expected " + SCHEMA);
        }
        Checks.ident(log, "log");
        if (size < 0) {
            throw new IllegalArgumentException("size must be ≥ 0");
        }
        requireHash(rootHash, "rootHash");
        Objects.requireNonNull(timestamp, "timestamp is required");
    }

    public static Checkpoint of(String log, long size, byte[] root, Instant timestamp) {
        return new Checkpoint(SCHEMA, log, size, Hex.encode(root), timestamp);
    }

    /** The root hash as 32 bytes. */
    @JsonIgnore
    public byte[] root() {
        return Hex.decode(rootHash);
    }

    public Envelope sign(SigningKey evidenceKey) {
        return Dsse.sign(PayloadTypes.CHECKPOINT, StrictJson.write(this), evidenceKey);
    }

    /** Checks that {@code hex} is a Merkle hash as Airlock prints it: 64 lowercase hex characters. */
    public static String requireHash(String hex, String field) {
        if (hex == null || !HASH.matcher(hex).matches()) {
            throw new IllegalArgumentException(field + " must be " + MerkleHash.HASH_BYTES * 2 + " lowercase hex characters");
        }
        return hex;
    }
}
