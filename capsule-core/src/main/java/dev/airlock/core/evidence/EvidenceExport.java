package dev.airlock.core.evidence;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.json.Checks;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.verify.VerificationException;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An export of the evidence log an operator can carry out of the enclave (ARCHITECTURE §1 invariant 1: the customer's
 * own governed path): sanitized, evidence-signed projections of the bundles of one environment (or all), each with
 * an RFC 9162 inclusion proof against the one signed checkpoint in the file. Everything in it verifies offline with
 * the policy alone ({@code airlock evidence proof --export FILE --policy policy.dsse.json}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"schema", "log", "environment", "since", "exportedAt", "checkpoint", "entries"})
public record EvidenceExport(String schema, String log, String environment, Instant since, Instant exportedAt,
                             Envelope checkpoint, List<Entry> entries) {
    public static final String SCHEMA = "airlock.evidence.export/v1";
    /** An export may hold many entries: larger limits than one signed document. */
    public static final StrictJson.Limits LIMITS = new StrictJson.Limits(512L * 1024 * 1024, 32, 50_000_000);

    public EvidenceExport {
        if (!SCHEMA.equals(schema)) {
            throw new IllegalArgumentException("unknown schema '" + schema + "', expected " + SCHEMA);
        }
        Checks.ident(log, "log");
        Objects.requireNonNull(exportedAt, "exportedAt is required");
        Objects.requireNonNull(checkpoint, "checkpoint is required");
        entries = entries == null ? List.of() : List.copyOf(entries);
    }

    /** One exported bundle: its leaf, the proof of that leaf against the file's checkpoint, the signed projection. */
    @JsonPropertyOrder({"logIndex", "leafHash", "inclusionProof", "sanitized"})
    public record Entry(long logIndex, String leafHash, List<String> inclusionProof, Envelope sanitized) {
        public Entry {
            if (logIndex < 0) {
                throw new IllegalArgumentException("logIndex must be ≥ 0");
            }
            Checkpoint.requireHash(leafHash, "leafHash");
            inclusionProof = Checks.list(inclusionProof, "inclusionProof", 0, 64);
            inclusionProof.forEach(h -> Checkpoint.requireHash(h, "inclusionProof hash"));
            Objects.requireNonNull(sanitized, "sanitized is required");
        }
    }

    public static EvidenceExport parse(byte[] json) throws VerificationException {
        return StrictJson.read(json, EvidenceExport.class, LIMITS);
    }
}
