package dev.airlock.deploy.stack;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PortsTest {
    @Test
    void defaultsAreTheContractPorts() {
        Ports p = Ports.DEFAULTS;
        assertEquals(19092, p.controlKafka());
        assertEquals(29092, p.enclaveKafka());
        assertEquals(15432, p.controlPostgres());
        assertEquals(25432, p.enclavePostgres());
        assertEquals(8081, p.planner());
        assertEquals(8082, p.approval());
        assertEquals(8083, p.evidence());
        assertEquals(Set.of(19092, 19093, 15432, 8081, 8082), p.controlPlaneTcp());
        assertEquals(Set.of(29092, 29093, 25432, 8083), p.enclaveTcp());
    }

    @Test
    void aBaseMovesEveryPortAndKeepsThePlanesApart() {
        Ports p = Ports.fromBase(23400);
        assertEquals(9, p.tcp().size());
        assertTrue(p.tcp().keySet().stream().allMatch(x -> x >= 23400 && x < 23410));
        assertEquals(23409, p.diode());
        Set<Integer> both = new java.util.HashSet<>(p.controlPlaneTcp());
        both.retainAll(p.enclaveTcp());
        assertEquals(Set.of(), both);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ports.fromBase(80));
        assertTrue(e.getMessage().contains("AIRLOCK_PORT_BASE must be 1024..65525"), e::getMessage);
    }

    @Test
    void settingsReadTheEnvironment(@org.junit.jupiter.api.io.TempDir java.nio.file.Path root) throws Exception {
        java.nio.file.Files.createDirectories(root.resolve("deploy"));
        java.nio.file.Files.writeString(root.resolve("deploy/pom.xml"), "<project/>");
        StackSettings s = StackSettings.fromEnvironment(java.util.Map.of("AIRLOCK_ROOT", root.toString(),
                "AIRLOCK_PORT_BASE", "30000", "AIRLOCK_ENCLAVE_DB_URL", "postgresql://ev:s%40cret@db.enclave:5433"));
        assertEquals(root.resolve(".airlock"), s.home());
        assertEquals(30000, s.ports().controlKafka());
        assertTrue(s.controlDb().embedded());
        assertEquals(30004, s.controlDb().port());
        assertEquals("db.enclave", s.enclaveDb().host());
        assertEquals("s@cret", s.enclaveDb().password());
        assertEquals("jdbc:postgresql://db.enclave:5433/evidence", s.enclaveDb().jdbcUrl("evidence"));
        assertTrue(!s.enclaveDb().describe().contains("s@cret"), "never the password in messages");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StackSettings.fromEnvironment(
                java.util.Map.of("AIRLOCK_ROOT", root.resolve("nowhere").toString())));
        assertTrue(e.getMessage().contains("not an Airlock source checkout"), e::getMessage);
    }
}
