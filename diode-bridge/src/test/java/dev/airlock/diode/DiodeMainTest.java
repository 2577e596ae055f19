package dev.airlock.diode;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DiodeMainTest {
    private static String[] run(String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int code = DiodeMain.run(args, Map.of(), new PrintStream(buf, true, StandardCharsets.UTF_8));
        return new String[] {String.valueOf(code), buf.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void usageErrorsExitWithTwoAndSayWhy() {
        assertEquals("2", run()[0]);
        assertEquals("2", run("transmit")[0]);
        assertEquals("2", run("--config")[0]);
        String[] noKafka = run("receive");
        assertEquals("2", noKafka[0]);
        assertTrue(noKafka[1].contains("missing setting receive."), noKafka[1]);
    }
}
