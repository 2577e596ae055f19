package dev.airlock.bench;

import dev.airlock.core.json.StrictJson;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Shared result writing for every benchmark: {@code bench/results/<name>.json} with the CONVENTIONS fields and a
 * description of the machine — including its load average, because on a shared 2-core machine a ratio is only
 * comparable within one run.
 */
public final class Results {
    private Results() {
    }

    /** The repository root: where {@code bench/results} lives (run from the root, or set {@code airlock.root}). */
    public static Path root() {
        String prop = System.getProperty("airlock.root");
        Path p = Path.of(prop != null ? prop : "").toAbsolutePath();
        if (!Files.isDirectory(p.resolve("bench")) && Files.isDirectory(p.getParent().resolve("bench"))) {
            p = p.getParent();
        }
        return p;
    }

    public static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    public static String today() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** Cores, heap, OS, Java, CPU model, and the load average before and at the end of the run. */
    public static Map<String, Object> machine(String loadAverageBefore) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("maxHeapMB", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    m.put("cpu", line.substring(line.indexOf(':') + 1).trim());
                    break;
                }
            }
        } catch (IOException e) {
            m.put("cpu", "unknown");
        }
        m.put("loadAverageBefore", loadAverageBefore);
        m.put("loadAverageAfter", loadAverage());
        return m;
    }

    /** Writes {@code bench/results/<name>.json} (pretty, trailing newline) and returns its path. */
    public static Path write(String name, Object doc) throws IOException {
        Path file = root().resolve("bench/results/" + name + ".json");
        Files.createDirectories(file.getParent());
        Files.write(file, (new String(StrictJson.writePretty(doc), StandardCharsets.UTF_8) + "\n")
                .getBytes(StandardCharsets.UTF_8));
        return file;
    }
}
