package dev.airlock.core.dsse;

import dev.airlock.core.crypto.PublicKeyHandle;
import dev.airlock.core.crypto.SignatureCheck;
import dev.airlock.core.crypto.SigningKey;
import dev.airlock.core.verify.VerificationException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** DSSE v1 signing and verification (https://github.com/secure-systems-lab/dsse/blob/master/protocol.md). */
public final class Dsse {
    private Dsse() {
    }

    /**
     * DSSE PAE: {@code "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body}, lengths as ASCII decimal byte counts of the
     * UTF-8 type and of the raw body. (Byte counts, not character counts: a non-ASCII payloadType would otherwise
     * produce a different pre-image than other implementations.)
     */
    public static byte[] pae(String payloadType, byte[] payload) {
        // Written into an array of the exact size: a ByteArrayOutputStream would copy the whole payload a second time
        // in toByteArray (a megabyte per signature check of a 1 MB capsule).
        byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
        byte[] head = ("DSSEv1 " + type.length + " ").getBytes(StandardCharsets.US_ASCII);
        byte[] len = (" " + payload.length + " ").getBytes(StandardCharsets.US_ASCII);
        byte[] pae = new byte[head.length + type.length + len.length + payload.length];
        int at = 0;
        System.arraycopy(head, 0, pae, at, head.length);
        at += head.length;
        System.arraycopy(type, 0, pae, at, type.length);
        at += type.length;
        System.arraycopy(len, 0, pae, at, len.length);
        at += len.length;
        System.arraycopy(payload, 0, pae, at, payload.length);
        return pae;
    }

    /** Signs {@code payload} under {@code payloadType} with each key, in order. */
    public static Envelope sign(String payloadType, byte[] payload, SigningKey... keys) {
        return sign(payloadType, payload, List.of(keys));
    }

    public static Envelope sign(String payloadType, byte[] payload, List<SigningKey> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("at least one signing key is required");
        }
        byte[] pae = pae(payloadType, payload);
        List<Envelope.Signature> sigs = new ArrayList<>();
        for (SigningKey k : keys) {
            sigs.add(new Envelope.Signature(k.keyid(), Base64.getEncoder().encodeToString(k.sign(pae))));
        }
        return Envelope.of(payloadType, payload, sigs);
    }

    /** Adds signatures to an existing envelope (e.g. a second root key countersigning a policy). */
    public static Envelope addSignatures(Envelope env, List<SigningKey> keys) {
        byte[] pae = pae(env.payloadType(), env.payloadBytes());
        List<Envelope.Signature> sigs = new ArrayList<>(env.signatures());
        for (SigningKey k : keys) {
            sigs.add(new Envelope.Signature(k.keyid(), Base64.getEncoder().encodeToString(k.sign(pae))));
        }
        return Envelope.of(env.payloadType(), env.payloadBytes(), sigs);
    }

    /** Why one signature entry did not count. */
    public enum FailureKind {
        /** No key in the ring matches the keyid hint. */
        UNKNOWN_KEY,
        /** The signature is not base64 or fails a strict length/encoding/range check. */
        MALFORMED_SIGNATURE,
        /** A candidate key exists but the signature does not verify under it. */
        INVALID
    }

    public record Failure(int index, String keyid, FailureKind kind, SignatureCheck check) {
    }

    /**
     * Result of verifying every signature of an envelope over its PAE: the distinct keys that verified (a key counted
     * once however many entries it has) and why the other entries did not count.
     */
    public record Result(Set<PublicKeyHandle> verifiedKeys, List<Failure> failures) {
        public Result {
            verifiedKeys = Set.copyOf(verifiedKeys);
            failures = List.copyOf(failures);
        }

        public boolean anyVerified() {
            return !verifiedKeys.isEmpty();
        }

        /** True if some entry named a key the ring knows (used to tell UNKNOWN_KEY from SIGNATURE_INVALID). */
        public boolean anyKnownKey() {
            return failures.stream().anyMatch(f -> f.kind() != FailureKind.UNKNOWN_KEY);
        }
    }

    /**
     * Verifies every signature entry of {@code env} against {@code ring} over the exact PAE bytes. Does not look at the
     * payload's content. Counting thresholds is the caller's business (by distinct principal, not by entry).
     */
    public static Result verify(Envelope env, KeyRing ring) {
        byte[] pae = pae(env.payloadType(), env.payloadView());
        Set<PublicKeyHandle> verified = new LinkedHashSet<>();
        List<Failure> failures = new ArrayList<>();
        List<Envelope.Signature> sigs = env.signatures();
        for (int i = 0; i < sigs.size(); i++) {
            Envelope.Signature s = sigs.get(i);
            List<PublicKeyHandle> candidates = ring.candidates(s.keyid());
            if (candidates.isEmpty()) {
                failures.add(new Failure(i, s.keyid(), FailureKind.UNKNOWN_KEY, null));
                continue;
            }
            byte[] sig;
            try {
                sig = s.sigBytes();
            } catch (VerificationException e) {
                failures.add(new Failure(i, s.keyid(), FailureKind.MALFORMED_SIGNATURE, null));
                continue;
            }
            SignatureCheck last = SignatureCheck.INVALID;
            boolean ok = false;
            for (PublicKeyHandle k : candidates) {
                SignatureCheck c = k.check(pae, sig);
                if (c.ok()) {
                    verified.add(k);
                    ok = true;
                    break;
                }
                last = c;
            }
            if (!ok) {
                failures.add(new Failure(i, s.keyid(),
                        last == SignatureCheck.INVALID ? FailureKind.INVALID : FailureKind.MALFORMED_SIGNATURE, last));
            }
        }
        return new Result(verified, failures);
    }
}
