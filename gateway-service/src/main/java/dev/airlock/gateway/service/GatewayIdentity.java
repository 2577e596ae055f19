package dev.airlock.gateway.service;

import dev.airlock.core.crypto.KeyFiles;
import dev.airlock.core.crypto.KeyFormatException;
import dev.airlock.core.crypto.SigningKey;
import dev.airlock.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.io.UncheckedIOException;

/** Who this gateway is: its principal id, environment, software version and signing key (loaded once). */
@ApplicationScoped
public class GatewayIdentity {
    private final GatewayConfig config;
    private final String version;
    private volatile SigningKey key;

    @Inject
    public GatewayIdentity(GatewayConfig config,
            @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown") String version) {
        this.config = config;
        this.version = version;
    }

    public String id() {
        return config.id();
    }

    public String environment() {
        return config.environment();
    }

    public String version() {
        return version;
    }

    /** The gateway key; the first call reads it from {@code airlock.gateway.key} (start-up fails if unreadable). */
    public SigningKey key() {
        SigningKey k = key;
        if (k == null) {
            synchronized (this) {
                if (key == null) {
                    try {
                        key = KeyFiles.readPrivate(config.key());
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot read the gateway key " + config.key(), e);
                    } catch (KeyFormatException e) {
                        // the message names the format problem, never key material
                        throw new IllegalStateException("the gateway key " + config.key() + " is not a usable PKCS#8 "
                                + "private key: " + e.getMessage());
                    }
                }
                k = key;
            }
        }
        return k;
    }
}
