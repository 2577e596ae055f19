package dev.airlock.planner;

import dev.airlock.core.testing.TestPki;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Clock;

/** Tests run the service at {@link TestPki#NOW}, the instant TestPki's policy and approvals are made for. */
public class FixedClock {

    @Produces
    @Singleton
    @Alternative
    @Priority(1)
    Clock clock() {
        return TestPki.clock();
    }
}
