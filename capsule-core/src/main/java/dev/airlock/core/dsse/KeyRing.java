package dev.airlock.core.dsse;

import dev.airlock.core.crypto.PublicKeyHandle;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The keys an envelope may be verified against. Lookup is by keyid hint; the hint never decides who signed — the key
 * whose signature verifies does, and keys are compared by their canonical bytes, never by keyid (ARCHITECTURE §2).
 */
public final class KeyRing {
    private final Map<String, List<PublicKeyHandle>> byKeyid = new LinkedHashMap<>();
    private final Set<PublicKeyHandle> all = new LinkedHashSet<>();

    public KeyRing(Collection<PublicKeyHandle> keys) {
        for (PublicKeyHandle k : keys) {
            if (all.add(k)) {
                byKeyid.computeIfAbsent(k.keyid(), x -> new ArrayList<>()).add(k);
            }
        }
    }

    public static KeyRing of(PublicKeyHandle... keys) {
        return new KeyRing(List.of(keys));
    }

    /**
     * Candidate keys for one signature: those whose keyid equals the hint; with an empty hint, every key (DSSE allows
     * an absent keyid). An unknown non-empty hint yields none, so a keyid naming key A cannot be satisfied by key B.
     */
    public List<PublicKeyHandle> candidates(String keyidHint) {
        if (keyidHint == null || keyidHint.isEmpty()) {
            return List.copyOf(all);
        }
        return byKeyid.getOrDefault(keyidHint, List.of());
    }

    public Set<PublicKeyHandle> keys() {
        return Set.copyOf(all);
    }

    public boolean isEmpty() {
        return all.isEmpty();
    }
}
