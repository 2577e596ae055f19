package dev.airlock.core.capsule;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.airlock.core.crypto.Hex;
import dev.airlock.core.json.Checks;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A remediation capsule (ARCHITECTURE §3.2), payload of a DSSE envelope of type
 * {@code application/vnd.airlock.capsule.v1+json} signed by its proposer. Shape is checked here; scope, commands and
 * authorization are the engine's job. Manifest paths are kept as given so the engine can name a traversal attempt as
 * {@code SCOPE_VIOLATION} rather than a parse error.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Capsule(String schema, String capsuleId, String lineage, long sequence, Instant createdAt,
                      Instant expiresAt, String environment, String mode, String tier, long policyVersion,
                      String proposer, Finding finding, Target target, Manifest manifest, Change change,
                      List<ValidationStep> validation, Rollback rollback) {

    public static final String SCHEMA = "airlock.capsule/v1";
    private static final Pattern TIER = Pattern.compile("^T[0-9]$");

    public Capsule {
        if (!SCHEMA.equals(schema)) {
            throw new IllegalArgumentException("unknown schema '" + schema + "', expected " + SCHEMA);
        }
        Checks.ident(capsuleId, "capsuleId");
        Checks.required(lineage, "lineage");
        if (lineage.length() > 512) {
            throw new IllegalArgumentException("lineage is longer than 512 characters");
        }
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must be ≥ 0");
        }
        Objects.requireNonNull(createdAt, "createdAt is required");
        Objects.requireNonNull(expiresAt, "expiresAt is required");
        if (!expiresAt.isAfter(createdAt)) {
            throw new IllegalArgumentException("expiresAt must be after createdAt");
        }
        Checks.ident(environment, "environment");
        Checks.oneOf(mode, "mode", Set.of("apply", "observe"));
        if (tier == null || !TIER.matcher(tier).matches()) {
            throw new IllegalArgumentException("tier must be T0..T9");
        }
        if (policyVersion < 1) {
            throw new IllegalArgumentException("policyVersion must be ≥ 1");
        }
        Checks.ident(proposer, "proposer");
        Objects.requireNonNull(finding, "finding is required");
        Objects.requireNonNull(target, "target is required");
        Objects.requireNonNull(manifest, "manifest is required");
        Objects.requireNonNull(change, "change is required");
        validation = Checks.list(validation, "validation", 0, 32);
        Checks.unique(validation.stream().map(ValidationStep::name).toList(), "validation step names");
        Objects.requireNonNull(rollback, "rollback is required");
    }

    public boolean observe() {
        return "observe".equals(mode);
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Finding(String source, String ruleId, String fingerprint, String cve, String component,
                          String fixedVersion, Reachability reachability, Exploitability exploitability) {
        public Finding {
            Checks.oneOf(source, "finding.source", Set.of("sarif", "osv", "manual"));
            if (ruleId != null) {
                Checks.required(ruleId, "finding.ruleId");
            }
        }
    }

    public record Reachability(boolean reachable, List<String> path) {
        public Reachability {
            path = Checks.list(path, "reachability.path", 0, 256);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Exploitability(Boolean kev, String epss, String ssvc) {
        private static final Pattern DECIMAL = Pattern.compile("^(0(\\.[0-9]{1,6})?|1(\\.0{1,6})?)$");

        public Exploitability {
            if (epss != null && !DECIMAL.matcher(epss).matches()) {
                throw new IllegalArgumentException("epss must be a decimal string between 0 and 1, e.g. \"0.97\"");
            }
            if (ssvc != null) {
                Checks.oneOf(ssvc, "ssvc", Set.of("track", "track*", "attend", "act"));
            }
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Target(String repository, String baseRevision) {
        public Target {
            Checks.ident(repository, "target.repository");
        }
    }

    public record Manifest(List<FileChange> files) {
        public Manifest {
            files = Checks.list(files, "manifest.files", 1, 1000);
        }
    }

    /** One manifest entry: {@code before} null for a new file, {@code after} null for a deleted one. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record FileChange(String path, String before, String after) {
        public FileChange {
            if (path == null) {
                throw new IllegalArgumentException("manifest path is required");
            }
            if (before == null && after == null) {
                throw new IllegalArgumentException("manifest entry " + path + " has neither before nor after");
            }
            if (before != null && !Hex.isDigest(before)) {
                throw new IllegalArgumentException("manifest before of " + path + " is not sha256:<64 hex>");
            }
            if (after != null && !Hex.isDigest(after)) {
                throw new IllegalArgumentException("manifest after of " + path + " is not sha256:<64 hex>");
            }
        }
    }

    public record Change(String format, String patch) {
        public Change {
            Checks.oneOf(format, "change.format", Set.of("unified-diff"));
            Objects.requireNonNull(patch, "change.patch is required");
        }
    }

    public record ValidationStep(String name, List<String> argv, int timeoutSeconds) {
        public ValidationStep {
            Checks.ident(name, "validation name");
            argv = Checks.list(argv, "validation argv", 1, 64);
            for (String a : argv) {
                if (a.isEmpty() || a.indexOf('\0') >= 0) {
                    throw new IllegalArgumentException("validation argv elements must be non-empty and without NUL");
                }
            }
            if (timeoutSeconds < 1 || timeoutSeconds > 86_400) {
                throw new IllegalArgumentException("timeoutSeconds must be 1..86400");
            }
        }
    }

    public record Rollback(String strategy) {
        public Rollback {
            Checks.oneOf(strategy, "rollback.strategy", Set.of("restore-before-state"));
        }
    }
}
