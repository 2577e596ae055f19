package dev.airlock.deploy.stack;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** What must hold before anything starts, each with a message that says what to do. */
public final class Preflight {
    /** Kafka logs, two PostgreSQL data directories, service state: generous for the local stack. */
    static final long MIN_FREE_BYTES = 2L * 1024 * 1024 * 1024;

    private Preflight() {
    }

    public static final class Failed extends Exception {
        public Failed(String message) {
            super(message);
        }
    }

    public static String java() throws Failed {
        Runtime.Version v = Runtime.version();
        if (v.feature() < 17) {
            throw new Failed("Java too old: " + v + " runs airlock, the stack needs Java 17 or newer; install a JDK 17 "
                    + "and set JAVA_HOME to it");
        }
        return "Java " + v;
    }

    public static String disk(Path home) throws Failed {
        try {
            Files.createDirectories(home);
            long free = Files.getFileStore(home).getUsableSpace();
            if (free < MIN_FREE_BYTES) {
                throw new Failed(String.format(Locale.ROOT, "out of disk: %.1f GiB free under %s, the stack needs at "
                                + "least %.0f GiB (Kafka logs, PostgreSQL); free space or set AIRLOCK_HOME to a larger disk",
                        free / 1073741824.0, home, MIN_FREE_BYTES / 1073741824.0));
            }
            return String.format(Locale.ROOT, "%.0f GiB free", free / 1073741824.0);
        } catch (IOException e) {
            throw new Failed("cannot use " + home + " for the stack's state: " + e.getMessage());
        }
    }

    /** Every TCP port in {@code ports} (port → what will listen) is free on 127.0.0.1, and the diode's UDP port. */
    public static String ports(Map<Integer, String> ports, Integer udpPort) throws Failed {
        List<String> taken = new ArrayList<>();
        for (Map.Entry<Integer, String> e : ports.entrySet()) {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), e.getKey()));
            } catch (IOException ex) {
                taken.add(String.format(Locale.ROOT, "TCP %d (%s) is taken%s", e.getKey(), e.getValue(),
                        owner(e.getKey(), "tcp").map(o -> " by " + o).orElse("")));
            }
        }
        if (udpPort != null) {
            try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), udpPort))) {
                s.getLocalPort();
            } catch (IOException ex) {
                taken.add(String.format(Locale.ROOT, "UDP %d (diode) is taken%s", udpPort,
                        owner(udpPort, "udp").map(o -> " by " + o).orElse("")));
            }
        }
        if (!taken.isEmpty()) {
            throw new Failed("port taken: " + String.join("; ", taken) + ". Stop what uses it (is another stack "
                    + "running? ./airlock status), or move this stack with AIRLOCK_PORT_BASE=N (uses N..N+9)");
        }
        int n = ports.size() + (udpPort == null ? 0 : 1);
        return n == 0 ? "no port to check (the processes to start listen on none)" : n == 1 ? "1 port free" : n + " ports free";
    }

    /** Which process holds a port, from /proc (best effort: another user's processes are not readable). */
    static Optional<String> owner(int port, String proto) {
        List<Long> inodes = new ArrayList<>();
        for (String table : List.of(proto, proto + "6")) {
            try {
                List<String> lines = Files.readAllLines(Path.of("/proc/net", table));
                for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 9) {
                        String[] local = f[1].split(":");
                        boolean listening = proto.equals("udp") || "0A".equals(f[3]);
                        if (listening && Integer.parseInt(local[1], 16) == port) {
                            inodes.add(Long.parseLong(f[9]));
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                // not Linux
            }
        }
        if (inodes.isEmpty()) {
            return Optional.empty();
        }
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path proc : procs) {
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
                    for (Path fd : fds) {
                        String link;
                        try {
                            link = Files.readSymbolicLink(fd).toString();
                        } catch (IOException e) {
                            continue;
                        }
                        for (long inode : inodes) {
                            if (link.equals("socket:[" + inode + "]")) {
                                return Optional.of("pid " + proc.getFileName() + " (" + cmdline(proc) + ")");
                            }
                        }
                    }
                } catch (IOException e) {
                    // not ours to read
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static String cmdline(Path proc) {
        try {
            String c = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ').trim();
            return c.length() > 120 ? c.substring(0, 120) + "…" : c;
        } catch (IOException e) {
            return "?";
        }
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
