package dev.airlock.deploy.stack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StackStateTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsAndReplacesByName() throws Exception {
        StackState s = new StackState(StackState.SCHEMA, "/r", "/r/.airlock", Ports.DEFAULTS, Instant.now(), List.of());
        StackState.Proc a = new StackState.Proc("kafka-control", "control", "broker", 0, 11, Instant.parse(
                "2026-11-25T10:00:00Z"), Instant.parse("2026-11-25T10:00:01Z"), "/r/.airlock/logs/kafka-control.log",
                List.of("java", "-cp", "x"));
        StackState.Proc b = new StackState.Proc("gateway-service", "enclave", "gateway", 1, 12, null, null, "/g.log",
                List.of("java"));
        s = s.with(a).with(b).with(new StackState.Proc("kafka-control", "control", "broker", 0, 13, null, null, "/k.log",
                List.of("java")));
        s.write(dir.resolve("stack.json"));
        StackState r = StackState.read(dir.resolve("stack.json")).orElseThrow();
        assertEquals(List.of("gateway-service", "kafka-control"), r.processes().stream().map(StackState.Proc::name).toList());
        assertEquals(13, r.find("kafka-control").orElseThrow().pid());
        assertEquals(Ports.DEFAULTS, r.ports());
        assertEquals(List.of("kafka-control"), r.without("gateway-service").processes().stream()
                .map(StackState.Proc::name).toList());
    }

    @Test
    void aDamagedFileSaysWhatToDo() throws Exception {
        Files.writeString(dir.resolve("stack.json"), "{\"schema\":");
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> StackState.read(dir.resolve("stack.json")));
        assertTrue(e.getMessage().contains("if no stack runs, delete it"), e::getMessage);
        assertTrue(StackState.read(dir.resolve("absent.json")).isEmpty());
    }
}
