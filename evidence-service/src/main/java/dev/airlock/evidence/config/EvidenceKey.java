package dev.airlock.evidence.config;

import dev.airlock.core.crypto.KeyFiles;
import dev.airlock.core.crypto.KeyFormatException;
import dev.airlock.core.crypto.SigningKey;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The evidence principal's signing key, read once at start from {@code airlock.evidence.key}. */
@ApplicationScoped
public class EvidenceKey {
    private final SigningKey key;
    private final String id;

    @Inject
    public EvidenceKey(EvidenceConfig config) {
        this.id = config.id();
        try {
            this.key = KeyFiles.readPrivate(Path.of(config.key()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the evidence key airlock.evidence.key=" + config.key(), e);
        } catch (KeyFormatException e) {
            throw new IllegalStateException("airlock.evidence.key=" + config.key() + " is not a PKCS#8 private key: "
                    + e.getMessage());
        }
    }

    public SigningKey key() {
        return key;
    }

    /** The principal id, which is also the log's name. */
    public String id() {
        return id;
    }
}
