package dev.airlock.core.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.airlock.core.json.Checks;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The policy document (ARCHITECTURE §3.1), payload of a DSSE envelope of type
 * {@code application/vnd.airlock.policy.v1+json}. Constructors check the shape; {@link TrustedPolicy} checks the
 * meaning (keys decode, thresholds are satisfiable, tiers name held roles) once the signatures verified.
 */
public record Policy(String schema, long version, Instant issuedAt, Instant expiresAt, Root root,
                     List<Principal> principals, Map<String, Tier> tiers, List<Environment> environments) {

    public static final String SCHEMA = "airlock.policy/v1";
    public static final Set<String> KINDS = Set.of("human", "agent", "automation", "runner", "bridge", "gateway", "evidence");
    private static final Pattern TIER_NAME = Pattern.compile("^T[0-9]$");

    public Policy {
        if (!SCHEMA.equals(schema)) {
            throw new IllegalArgumentException("unknown schema '" + schema + "', expected " + SCHEMA);
        }
        if (version < 1) {
            throw new IllegalArgumentException("version must be ≥ 1");
        }
        Objects.requireNonNull(issuedAt, "issuedAt is required");
        Objects.requireNonNull(expiresAt, "expiresAt is required");
        if (!expiresAt.isAfter(issuedAt)) {
            throw new IllegalArgumentException("expiresAt must be after issuedAt");
        }
        Objects.requireNonNull(root, "root is required");
        principals = Checks.list(principals, "principals", 1, 1000);
        Checks.unique(principals.stream().map(Principal::id).toList(), "principal ids");
        if (tiers == null || tiers.isEmpty()) {
            throw new IllegalArgumentException("tiers is required");
        }
        for (Map.Entry<String, Tier> e : tiers.entrySet()) {
            if (!TIER_NAME.matcher(e.getKey()).matches() || e.getValue() == null) {
                throw new IllegalArgumentException("tier names are T0..T9, got '" + e.getKey() + "'");
            }
        }
        tiers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(new java.util.TreeMap<>(tiers)));
        environments = Checks.list(environments, "environments", 1, 1000);
        Checks.unique(environments.stream().map(Environment::name).toList(), "environment names");
        for (Environment env : environments) {
            if (!tiers.containsKey(env.maxTier())) {
                throw new IllegalArgumentException("environment " + env.name() + " names unknown maxTier " + env.maxTier());
            }
        }
    }

    public java.util.Optional<Environment> environment(String name) {
        return environments.stream().filter(e -> e.name().equals(name)).findFirst();
    }

    public java.util.Optional<Principal> principal(String id) {
        return principals.stream().filter(p -> p.id().equals(id)).findFirst();
    }

    /** A public key entry; {@code keyid} must be the SHA-256 of the key's DER (checked by {@link TrustedPolicy}). */
    public record KeyRef(String keyid, String publicKeyPem) {
        public KeyRef {
            Checks.required(keyid, "keyid");
            Checks.required(publicKeyPem, "publicKeyPem");
        }
    }

    public record Root(int threshold, List<KeyRef> keys) {
        public Root {
            // ≤ 16 so that a rotation signed by every old and new root key fits Envelope.MAX_SIGNATURES.
            keys = Checks.list(keys, "root.keys", 1, 16);
        }
    }

    public record Principal(String id, String kind, List<String> roles, List<KeyRef> keys) {
        public Principal {
            Checks.ident(id, "principal id");
            Checks.oneOf(kind, "principal kind", KINDS);
            roles = Checks.list(roles, "roles of " + id, 0, 64);
            roles.forEach(r -> Checks.ident(r, "role"));
            keys = Checks.list(keys, "keys of " + id, 1, 16);
        }

        public boolean hasRole(String role) {
            return roles.contains(role);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Tier(String authorize, Integer minApprovals, List<String> requiredRoles, List<String> autoApprove,
                       Boolean requireTicket) {
        public Tier {
            Checks.oneOf(authorize, "tier authorize", Set.of("never", "approvals"));
            if ("approvals".equals(authorize)) {
                if (minApprovals == null || minApprovals < 1 || minApprovals > 32) {
                    throw new IllegalArgumentException("minApprovals must be 1..32 for authorize=approvals");
                }
            }
            requiredRoles = requiredRoles == null ? null : Checks.list(requiredRoles, "requiredRoles", 0, 32);
            autoApprove = autoApprove == null ? null : Checks.list(autoApprove, "autoApprove", 0, 1000);
        }

        public boolean never() {
            return "never".equals(authorize);
        }

        public List<String> requiredRolesOrEmpty() {
            return requiredRoles == null ? List.of() : requiredRoles;
        }

        public boolean autoApproves(String environment) {
            return autoApprove != null && autoApprove.contains(environment);
        }

        public boolean ticketRequired() {
            return Boolean.TRUE.equals(requireTicket);
        }

        public int minApprovalsOrZero() {
            return minApprovals == null ? 0 : minApprovals;
        }
    }

    public record Scope(List<String> allow, List<String> deny) {
        public Scope {
            allow = Checks.list(allow, "scope.allow", 1, 1000);
            deny = Checks.list(deny, "scope.deny", 0, 1000);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Egress(String mode, List<String> sanitizedAllow) {
        public static final Set<String> MODES = Set.of("local-only", "metadata-only", "sanitized");

        public Egress {
            Checks.oneOf(mode, "egress.mode", MODES);
            sanitizedAllow = sanitizedAllow == null ? List.of() : Checks.list(sanitizedAllow, "sanitizedAllow", 0, 1000);
            for (String p : sanitizedAllow) {
                if (!p.startsWith("/")) {
                    throw new IllegalArgumentException("sanitizedAllow entries are JSON pointers starting with '/'");
                }
            }
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Environment(String name, String mode, String maxTier, Scope scope, List<List<String>> validationCommands,
                              String ticketPattern, Long maxCapsuleBytes, Egress egress, Integer retentionDays) {
        public static final long DEFAULT_MAX_CAPSULE_BYTES = 4L * 1024 * 1024;
        public static final long LIMIT_MAX_CAPSULE_BYTES = 64L * 1024 * 1024;

        public Environment {
            Checks.ident(name, "environment name");
            Checks.oneOf(mode, "environment mode", Set.of("observe", "apply"));
            Checks.required(maxTier, "maxTier");
            Objects.requireNonNull(scope, "scope is required");
            List<List<String>> cmds = new ArrayList<>();
            for (List<String> argv : Checks.list(validationCommands, "validationCommands", 0, 256)) {
                List<String> a = Checks.list(argv, "validation command prefix", 1, 64);
                a.forEach(x -> Checks.required(x, "argv element"));
                cmds.add(a);
            }
            validationCommands = List.copyOf(cmds);
            if (ticketPattern != null) {
                try {
                    Pattern.compile(ticketPattern);
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException("ticketPattern is not a valid regular expression");
                }
            }
            if (maxCapsuleBytes != null && (maxCapsuleBytes < 1024 || maxCapsuleBytes > LIMIT_MAX_CAPSULE_BYTES)) {
                throw new IllegalArgumentException("maxCapsuleBytes must be 1 KiB .. 64 MiB");
            }
            if (egress == null) {
                egress = new Egress("local-only", List.of());
            }
            if (retentionDays != null && (retentionDays < 1 || retentionDays > 36_500)) {
                throw new IllegalArgumentException("retentionDays must be 1..36500");
            }
        }

        public long maxCapsuleBytesOrDefault() {
            return maxCapsuleBytes == null ? DEFAULT_MAX_CAPSULE_BYTES : maxCapsuleBytes;
        }

        public boolean observeOnly() {
            return "observe".equals(mode);
        }

        public int retentionDaysOrDefault() {
            return retentionDays == null ? 365 : retentionDays;
        }
    }
}
