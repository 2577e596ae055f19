package dev.airlock.core.evidence;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.airlock.core.json.Checks;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An in-toto Statement v1 (https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md) whose predicate is an
 * Airlock evidence record (ARCHITECTURE §3.5). Payload of a DSSE envelope of type {@code application/vnd.in-toto+json}.
 */
@JsonPropertyOrder({"_type", "subject", "predicateType", "predicate"})
public record Statement(@JsonProperty("_type") String type, List<Subject> subject, String predicateType,
                        EvidencePredicate predicate) {
    public static final String TYPE = "https://in-toto.io/Statement/v1";
    public static final String PREDICATE_TYPE = "https://airlock.dev/evidence/v1";

    public Statement {
        if (!TYPE.equals(type)) {
            throw new IllegalArgumentException("_type must be " + TYPE);
        }
        subject = Checks.list(subject, "subject", 1, 1);
        if (!PREDICATE_TYPE.equals(predicateType)) {
            throw new IllegalArgumentException("predicateType must be " + PREDICATE_TYPE);
        }
        Objects.requireNonNull(predicate, "predicate is required");
        String expected = "capsule:" + predicate.capsuleId();
        if (!subject.get(0).name().equals(expected)) {
            throw new IllegalArgumentException("subject name must be " + expected);
        }
    }

    public static Statement of(String capsuleDigest, EvidencePredicate predicate) {
        if (!capsuleDigest.startsWith("sha256:")) {
            throw new IllegalArgumentException("capsule digest must be sha256:<hex>");
        }
        return new Statement(TYPE, List.of(new Subject("capsule:" + predicate.capsuleId(),
                Map.of("sha256", capsuleDigest.substring("sha256:".length())))), PREDICATE_TYPE, predicate);
    }

    /** {@code sha256:<hex>} of the capsule this statement is about. */
    public String capsuleDigest() {
        return "sha256:" + subject.get(0).digest().get("sha256");
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Subject(String name, Map<String, String> digest) {
        public Subject {
            Checks.required(name, "subject name");
            if (digest == null || digest.size() != 1 || !digest.containsKey("sha256")
                    || !digest.get("sha256").matches("^[0-9a-f]{64}$")) {
                throw new IllegalArgumentException("subject digest must be exactly {\"sha256\": <64 lowercase hex>}");
            }
            digest = Map.copyOf(digest);
        }
    }
}
