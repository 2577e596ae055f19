package dev.airlock.planner.domain;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A package URL (https://github.com/package-url/purl-spec) reduced to what identifies a package version for matching:
 * type, namespace, name, version. Qualifiers ({@code ?type=jar}) and subpath are dropped, the type is lower-cased, the
 * components are percent-decoded; {@link #toString()} is the canonical {@code pkg:type/namespace/name@version}.
 * A null namespace means "not known" (a scanner that only reported an artifact name), which {@link #sameArtifact}
 * treats as a wildcard.
 */
public record Purl(String type, String namespace, String name, String version) {

    public Purl {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(name, "name");
        if (type.isEmpty() || name.isEmpty()) {
            throw new IllegalArgumentException("purl needs a type and a name");
        }
        type = type.toLowerCase(Locale.ROOT);
        if (namespace != null && namespace.isEmpty()) {
            namespace = null;
        }
        if (version != null && version.isEmpty()) {
            version = null;
        }
        if ("npm".equals(type) || "pypi".equals(type)) {
            // purl-spec: npm and PyPI names are case-insensitive and written in lower case
            name = name.toLowerCase(Locale.ROOT);
            namespace = namespace == null ? null : namespace.toLowerCase(Locale.ROOT);
        }
    }

    /** Parses a purl; empty for anything that is not one. */
    public static Optional<Purl> parse(String s) {
        if (s == null || !s.startsWith("pkg:")) {
            return Optional.empty();
        }
        String rest = s.substring(4);
        while (rest.startsWith("/")) {
            rest = rest.substring(1);
        }
        int hash = rest.indexOf('#');
        if (hash >= 0) {
            rest = rest.substring(0, hash);
        }
        int q = rest.indexOf('?');
        if (q >= 0) {
            rest = rest.substring(0, q);
        }
        int slash = rest.indexOf('/');
        if (slash <= 0) {
            return Optional.empty();
        }
        String type = rest.substring(0, slash);
        String path = rest.substring(slash + 1);
        String version = null;
        int at = path.lastIndexOf('@');
        if (at > path.lastIndexOf('/')) {
            version = decode(path.substring(at + 1));
            path = path.substring(0, at);
        }
        int last = path.lastIndexOf('/');
        String namespace = last >= 0 ? decode(path.substring(0, last)) : null;
        String name = decode(path.substring(last + 1));
        if (name.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Purl(type, namespace, name, version));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The purl of an OSV {@code package}: Maven {@code group:artifact}, npm {@code @scope/name}, others plain. */
    public static Optional<Purl> fromOsv(String ecosystem, String packageName, String version) {
        if (ecosystem == null || packageName == null) {
            return Optional.empty();
        }
        String eco = ecosystem.contains(":") ? ecosystem.substring(0, ecosystem.indexOf(':')) : ecosystem;
        return switch (eco.toLowerCase(Locale.ROOT)) {
            case "maven" -> {
                int colon = packageName.indexOf(':');
                yield colon > 0
                        ? Optional.of(new Purl("maven", packageName.substring(0, colon),
                        packageName.substring(colon + 1), version))
                        : Optional.empty();
            }
            case "npm" -> {
                if (packageName.startsWith("@") && packageName.indexOf('/') > 0) {
                    int sl = packageName.indexOf('/');
                    yield Optional.of(new Purl("npm", packageName.substring(0, sl), packageName.substring(sl + 1),
                            version));
                }
                yield Optional.of(new Purl("npm", null, packageName, version));
            }
            case "pypi" -> Optional.of(new Purl("pypi", null, packageName, version));
            case "go" -> {
                int sl = packageName.lastIndexOf('/');
                yield Optional.of(new Purl("golang", sl > 0 ? packageName.substring(0, sl) : null,
                        packageName.substring(sl + 1), version));
            }
            case "nuget" -> Optional.of(new Purl("nuget", null, packageName, version));
            case "rubygems" -> Optional.of(new Purl("gem", null, packageName, version));
            case "crates.io" -> Optional.of(new Purl("cargo", null, packageName, version));
            default -> Optional.empty();
        };
    }

    public Purl withVersion(String v) {
        return new Purl(type, namespace, name, v);
    }

    /** Same package (type, name, and namespace when both know it), any version. */
    public boolean sameArtifact(Purl other) {
        return type.equals(other.type) && name.equals(other.name)
                && (namespace == null || other.namespace == null || namespace.equals(other.namespace));
    }

    /** {@code pkg:type/namespace/name} without version. */
    public String coordinates() {
        StringBuilder sb = new StringBuilder("pkg:").append(type).append('/');
        if (namespace != null) {
            for (String seg : namespace.split("/", -1)) {
                sb.append(encode(seg)).append('/');
            }
        }
        return sb.append(encode(name)).toString();
    }

    @Override
    public String toString() {
        return version == null ? coordinates() : coordinates() + "@" + encode(version);
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    /** purl-spec percent-encoding: everything but unreserved characters and a few safe ones. */
    private static String encode(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-'
                    || c == '_' || c == '~' || c == '+' || c == '!' || c == '*' || c == '(' || c == ')' || c == ':') {
                sb.append((char) c);
            } else {
                sb.append('%').append(String.format(Locale.ROOT, "%02X", c));
            }
        }
        return sb.toString();
    }
}
