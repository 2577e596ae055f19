package dev.airlock.diode.testing;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** One real broker for all tests of a class (both sides of the bridge use it), started before and closed after them. */
public abstract class BrokerPerClass {
    protected static TestKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = new TestKafka();
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }
}
