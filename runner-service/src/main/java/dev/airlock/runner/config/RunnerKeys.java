package dev.airlock.runner.config;

import dev.airlock.core.crypto.KeyFiles;
import dev.airlock.core.crypto.KeyFormatException;
import dev.airlock.core.crypto.PublicKeyHandle;
import dev.airlock.core.crypto.SigningKey;
import dev.airlock.core.dsse.KeyRing;
import dev.airlock.core.events.Admission;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The runner's two keys, read once at start: its own signing key (evidence bundles) and the gateway's public key
 * (admissions). A missing or malformed key stops the runner at start, naming the file but never its content.
 */
@Singleton
public class RunnerKeys {

    private final SigningKey runnerKey;
    private final KeyRing gateway;

    @Inject
    public RunnerKeys(RunnerConfig config) {
        this.runnerKey = readPrivate(config.key());
        this.gateway = Admission.ring(readPublic(config.gatewayPublicKey()));
    }

    public SigningKey runnerKey() {
        return runnerKey;
    }

    public KeyRing gateway() {
        return gateway;
    }

    private static SigningKey readPrivate(Path file) {
        try {
            return KeyFiles.readPrivate(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the runner key " + file + " (airlock.runner.key)", e);
        } catch (KeyFormatException e) {
            throw new IllegalStateException("the runner key " + file + " (airlock.runner.key) is not a PKCS#8 PEM "
                    + "Ed25519 or P-256 private key");
        }
    }

    private static PublicKeyHandle readPublic(Path file) {
        try {
            return KeyFiles.readPublic(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the gateway public key " + file
                    + " (airlock.runner.gateway-public-key)", e);
        } catch (KeyFormatException e) {
            throw new IllegalStateException("the gateway public key " + file + " (airlock.runner.gateway-public-key) "
                    + "is not a SubjectPublicKeyInfo PEM Ed25519 or P-256 key: " + e.getMessage());
        }
    }
}
