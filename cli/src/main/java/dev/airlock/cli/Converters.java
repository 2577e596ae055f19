package dev.airlock.cli;

import dev.airlock.core.capsule.Approval;
import dev.airlock.core.crypto.KeyAlgorithm;
import dev.airlock.core.json.StrictJson;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.time.Instant;
import java.util.Iterator;
import java.util.List;

/** Option value converters: a wrong value is a usage error (exit 2) naming the option and what it expects. */
final class Converters {
    private Converters() {
    }

    static final class Algorithm implements ITypeConverter<KeyAlgorithm> {
        @Override
        public KeyAlgorithm convert(String value) {
            try {
                return KeyAlgorithm.fromCliName(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "' is not a key algorithm (expected ed25519 or p256)");
            }
        }
    }

    static final class Algorithms implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("ed25519", "p256").iterator();
        }
    }

    /** RFC 3339 UTC only ({@code 2026-11-25T10:00:00Z}), as every timestamp in Airlock's documents. */
    static final class Rfc3339 implements ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            try {
                return StrictJson.parseInstant(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value
                        + "' is not an RFC 3339 UTC timestamp (for example 2026-11-25T10:00:00Z)");
            }
        }
    }

    static final class Basis implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (!value.equals(Approval.REVIEW) && !value.equals(Approval.POLICY_AUTO)) {
                throw new TypeConversionException("'" + value + "' is not a basis (expected review or policy-auto)");
            }
            return value;
        }
    }

    static final class Bases implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of(Approval.REVIEW, Approval.POLICY_AUTO).iterator();
        }
    }
}
