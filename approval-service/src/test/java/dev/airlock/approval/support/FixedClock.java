package dev.airlock.approval.support;

import dev.airlock.core.testing.TestPki;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Clock;

/** Tests decide on TestPki's fixed instant, so the fixture capsules and policy never expire under them. */
public class FixedClock {

    @Produces
    @Singleton
    @Alternative
    @Priority(1)
    Clock clock() {
        return TestPki.clock();
    }
}
