package dev.airlock.diode.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SettingsTest {

    @Test
    void environmentOverridesTheFileAndKafkaKeysPassThrough(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("send.properties");
        Files.writeString(f, """
                kafka.bootstrap.servers=control:9092
                send.target=10.0.0.1:7000
                send.rate-bytes-per-sec=1000000
                send.journal-dir=/var/lib/diode
                heartbeat.key-file=/etc/diode/bridge.key.pem
                bridge.id=bridge.diode-1
                """);
        Settings s = Settings.load(f, Map.of(
                "AIRLOCK_DIODE_SEND_RATE_BYTES_PER_SEC", "2500000",
                "AIRLOCK_DIODE_FEC_DESIGN_LOSS_PERCENT", "5",
                "AIRLOCK_DIODE_KAFKA_SECURITY_PROTOCOL", "SSL",
                "PATH", "/usr/bin"));
        SenderConfig c = SenderConfig.from(s);
        assertEquals(2_500_000, c.rateBytesPerSec());
        assertEquals(0.05, c.fec().designLoss(), 1e-9);
        assertEquals("SSL", c.kafka().getProperty("security.protocol"));
        assertEquals("control:9092", c.kafka().getProperty("bootstrap.servers"));
        assertEquals(7000, c.target().getPort());
    }

    @Test
    void missingSettingsAndForeignTopicsAreRefusedWithTheirNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SenderConfig.from(Settings.load(null, Map.of("AIRLOCK_DIODE_KAFKA_BOOTSTRAP_SERVERS", "b:1"))));
        assertTrue(e.getMessage().contains("send.target"), e.getMessage());
        IllegalArgumentException t = assertThrows(IllegalArgumentException.class,
                () -> SenderConfig.from(Settings.load(null, Map.of(
                        "AIRLOCK_DIODE_KAFKA_BOOTSTRAP_SERVERS", "b:1", "AIRLOCK_DIODE_SEND_TARGET", "h:1",
                        "AIRLOCK_DIODE_SEND_JOURNAL_DIR", "/j", "AIRLOCK_DIODE_HEARTBEAT_KEY_FILE", "/k",
                        "AIRLOCK_DIODE_BRIDGE_ID", "b", "AIRLOCK_DIODE_SEND_TOPICS", "airlock.admissions.v1"))));
        assertTrue(t.getMessage().contains("send.topics"), t.getMessage());
    }
}
