package dev.airlock.testsupport.kafka;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the configuration dumps Kafka clients log at start ({@code ProducerConfig values:} followed by tab-indented
 * {@code key = value} lines) from a process log, so a test can check what a packaged application really configured
 * (for example that no producer fell back to {@code acks=1}, which silently disables idempotence). The application
 * must let {@code org.apache.kafka.common.config.AbstractConfig} log at INFO (Quarkus lowers these dumps to
 * DEBUG, so set that category to DEBUG there).
 */
public final class ClientConfigDump {

    private ClientConfigDump() {
    }

    /** Every {@code ProducerConfig values:} block in {@code log}, in order. */
    public static List<Map<String, String>> producers(String log) {
        return blocks(log, "ProducerConfig values:");
    }

    /** Every {@code ConsumerConfig values:} block in {@code log}, in order. */
    public static List<Map<String, String>> consumers(String log) {
        return blocks(log, "ConsumerConfig values:");
    }

    static List<Map<String, String>> blocks(String log, String marker) {
        List<Map<String, String>> blocks = new ArrayList<>();
        String[] lines = log.split("\\R");
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].contains(marker)) {
                continue;
            }
            Map<String, String> values = new LinkedHashMap<>();
            for (int j = i + 1; j < lines.length && lines[j].startsWith("\t"); j++) {
                String line = lines[j].trim();
                int eq = line.indexOf(" = ");
                if (eq > 0) {
                    values.put(line.substring(0, eq), line.substring(eq + 3));
                } else if (line.endsWith(" =")) {
                    values.put(line.substring(0, line.length() - 2), "");
                }
            }
            blocks.add(values);
        }
        return blocks;
    }
}
