package dev.airlock.planner.domain;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VersionsTest {

    @Test
    void mavenOrder() {
        assertTrue(Versions.compare("2.6.1", "2.12.2") < 0);
        assertTrue(Versions.compare("2.12.2", "2.13.0") < 0);
        assertTrue(Versions.compare("2.0-beta9", "2.0") < 0);
        assertTrue(Versions.compare("2.0-rc1", "2.0-beta9") > 0);
        assertTrue(Versions.compare("1.0-SNAPSHOT", "1.0") < 0);
        assertTrue(Versions.compare("2.12.6.1", "2.12.6") > 0);
        assertTrue(Versions.compare("3.9.1.Final", "3.10.0") < 0);
        assertEquals(0, Versions.compare("1.0", "1.0.0"));
        assertEquals(0, Versions.compare("3.9.1.Final", "3.9.1"));
        assertTrue(Versions.compare("1.0.1", "1.0-alpha") > 0);
    }

    @Test
    void semverOrder() {
        assertTrue(Versions.compare("4.17.15", "4.17.21") < 0);
        assertTrue(Versions.compare("1.0.0-alpha", "1.0.0") < 0);
        assertTrue(Versions.compare("1.0.0-beta.2", "1.0.0-beta.11") < 0);
        assertEquals(0, Versions.compare("1.0.0+build.7", "1.0.0"));
        assertEquals(0, Versions.compare("v1.2.3", "1.2.3"));
    }

    @Test
    void purlsNormalise() {
        Purl p = Purl.parse("pkg:maven/org.apache.logging.log4j/log4j-core@2.6.1?type=jar").orElseThrow();
        assertEquals("pkg:maven/org.apache.logging.log4j/log4j-core@2.6.1", p.toString());
        Purl npm = Purl.parse("pkg:npm/%40Angular/Core@12.0.0").orElseThrow();
        assertEquals("@angular", npm.namespace());
        assertEquals("pkg:npm/%40angular/core@12.0.0", npm.toString());
        assertEquals(npm, Purl.fromOsv("npm", "@angular/core", "12.0.0").orElseThrow());
        assertTrue(Purl.parse("not a purl").isEmpty());
    }
}
