package dev.airlock.approval.config;

import dev.airlock.core.verify.VerificationEngine;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Clock;

/** The capsule-core engine, on the service's clock: the same checks, in the same order, as the gateway (§5). */
public class EngineProducer {

    @Produces
    @Singleton
    VerificationEngine engine(Clock clock) {
        return new VerificationEngine(clock);
    }
}
