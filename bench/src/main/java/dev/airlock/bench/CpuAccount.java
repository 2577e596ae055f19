package dev.airlock.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where the CPU of a benchmark window went, read from {@code /proc} (Linux; elsewhere every figure is 0): user + system
 * time of named processes, the part of it spent in the JVMs' JIT compiler threads, and the PostgreSQL server with its
 * backends (including backends that exited, through the postmaster's reaped-children time). A throughput ratio on a
 * 2-core machine says little without knowing who else was using the cores; this says it.
 */
public final class CpuAccount {
    private static final double TICK_MS = 10.0; // USER_HZ is 100 on every Linux this runs on

    private final Map<String, Long> pids = new LinkedHashMap<>();

    /** Counts the process {@code pid} (and its threads) under {@code name}. */
    public CpuAccount process(String name, long pid) {
        pids.put(name, pid);
        return this;
    }

    /**
     * A point-in-time reading: ms of CPU per named process, "jit" (compiler threads of them all) and "&lt;name&gt;Jit"
     * per process (both already inside the process figures), "postgres".
     */
    public Map<String, Double> snapshot() {
        Map<String, Double> out = new LinkedHashMap<>();
        long jit = 0;
        Map<String, Double> perProcess = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : pids.entrySet()) {
            long[] t = stat(Path.of("/proc", Long.toString(e.getValue()), "stat"));
            out.put(e.getKey(), t == null ? 0 : (t[0] + t[1]) * TICK_MS);
            long compiler = compilerTicks(e.getValue());
            perProcess.put(e.getKey() + "Jit", compiler * TICK_MS);
            jit += compiler;
        }
        out.put("jit", jit * TICK_MS);
        out.putAll(perProcess);
        out.put("postgres", postgresTicks() * TICK_MS);
        return out;
    }

    /** {@code after - before} per key, in ms. */
    public static Map<String, Double> delta(Map<String, Double> before, Map<String, Double> after) {
        Map<String, Double> out = new LinkedHashMap<>();
        after.forEach((k, v) -> out.put(k, v - before.getOrDefault(k, 0.0)));
        return out;
    }

    private static long compilerTicks(long pid) {
        long sum = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                String comm = read(task.resolve("comm"));
                if (comm != null && (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler"))) {
                    long[] t = stat(task.resolve("stat"));
                    if (t != null) {
                        sum += t[0] + t[1];
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or the process is gone
        }
        return sum;
    }

    private static long postgresTicks() {
        long sum = 0;
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : procs) {
                String comm = read(p.resolve("comm"));
                if ("postgres".equals(comm)) {
                    long[] t = stat(p.resolve("stat"));
                    if (t != null) {
                        sum += t[0] + t[1] + t[2] + t[3];
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return sum;
    }

    /** utime, stime, cutime, cstime of a /proc stat file, or null. */
    private static long[] stat(Path file) {
        String s = read(file);
        if (s == null) {
            return null;
        }
        // the command name may contain spaces and parentheses: fields start after the last ')'
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14])};
    }

    private static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            return null;
        }
    }
}
