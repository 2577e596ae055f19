package dev.airlock.gateway.service;

import org.jboss.logging.Logger;

/**
 * Test hook for SECURITY-TESTS F.33: halts the JVM (no shutdown hooks, no offset commit, no flush) at a chosen point,
 * when the system property {@value #PROPERTY} names it. Read once; absent in production. Not a configuration key, so
 * it cannot be set through {@code application.properties} or the environment by accident.
 */
final class CrashPoints {
    static final String PROPERTY = "airlock.test.gateway-halt";
    /** After the first transaction that admitted a capsule committed, before anything was published or acknowledged. */
    static final String AFTER_COMMIT = "after-commit";
    /** After the broker acknowledged an admission from the outbox, before the outbox row was deleted. */
    static final String AFTER_PUBLISH = "after-publish";

    private static final Logger LOG = Logger.getLogger(CrashPoints.class);
    private static final String POINT = System.getProperty(PROPERTY, "");

    private CrashPoints() {
    }

    static void reached(String point) {
        if (POINT.equals(point)) {
            LOG.errorf("Test hook %s=%s: halting the JVM now", PROPERTY, point);
            System.out.flush();
            Runtime.getRuntime().halt(86);
        }
    }
}
