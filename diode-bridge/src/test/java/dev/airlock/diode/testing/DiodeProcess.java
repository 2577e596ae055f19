package dev.airlock.diode.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/** {@code DiodeMain send|receive} as a child JVM (java -cp <test classpath>), so tests can kill it and inspect its sockets. */
public final class DiodeProcess implements AutoCloseable {
    private final Process process;
    private final Path log;

    private DiodeProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    public static DiodeProcess start(String command, Properties config, Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        Path cfg = dir.resolve(name + ".properties");
        try (OutputStream out = Files.newOutputStream(cfg)) {
            config.store(out, "diode-bridge " + command);
        }
        Path log = dir.resolve(name + ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                "dev.airlock.diode.DiodeMain", "--config", cfg.toString(), command));
        pb.environment().keySet().removeIf(k -> k.startsWith("AIRLOCK_DIODE_"));
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        return new DiodeProcess(pb.start(), log);
    }

    /** A UDP port that was free a moment ago. */
    public static int freeUdpPort() throws IOException {
        try (DatagramChannel c = DatagramChannel.open()) {
            c.bind(new InetSocketAddress("127.0.0.1", 0));
            return ((InetSocketAddress) c.getLocalAddress()).getPort();
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    /** SIGKILL: no shutdown hook, no commit, no flush — a crash. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
