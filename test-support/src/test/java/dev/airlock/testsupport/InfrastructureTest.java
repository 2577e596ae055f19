package dev.airlock.testsupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class InfrastructureTest {

    private final String before = System.getProperty(Infrastructure.SWITCH);

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty(Infrastructure.SWITCH);
        } else {
            System.setProperty(Infrastructure.SWITCH, before);
        }
    }

    @Test
    void readsTheSwitchCaseInsensitively() {
        System.setProperty(Infrastructure.SWITCH, "Never");
        assertEquals(Infrastructure.Mode.NEVER, Infrastructure.mode());
        System.setProperty(Infrastructure.SWITCH, "always");
        assertEquals(Infrastructure.Mode.ALWAYS, Infrastructure.mode());
        System.setProperty(Infrastructure.SWITCH, " auto ");
        assertEquals(Infrastructure.Mode.AUTO, Infrastructure.mode());
    }

    @Test
    void refusesAnUnknownValue() {
        System.setProperty(Infrastructure.SWITCH, "sometimes");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, Infrastructure::mode);
        assertEquals("AIRLOCK_TEST_CONTAINERS must be auto, always or never, not 'sometimes'", e.getMessage());
    }
}
