package dev.airlock.diode.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The sockets a process holds, read from Linux's /proc: socket inodes from {@code /proc/PID/fd}, joined with the
 * rows of {@code /proc/PID/net/{udp,udp6,tcp,tcp6}} (the process's network namespace).
 */
public final class ProcSockets {
    /** One row: protocol, local and remote address:port, kernel state, queue sizes. */
    public record Sock(String proto, String local, int localPort, String remote, int remotePort, int state,
                       long txQueue, long rxQueue, long drops) {
        public boolean tcpListening() {
            return proto.startsWith("tcp") && state == 0x0A;
        }

        /** UDP "established" = connect()ed to one peer. */
        public boolean udpConnected() {
            return proto.startsWith("udp") && state == 0x01;
        }
    }

    private ProcSockets() {
    }

    public static Set<Long> socketInodes(long pid) throws IOException {
        Set<Long> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(Long.parseLong(target.substring(8, target.length() - 1)));
                    }
                } catch (IOException gone) {
                    // fd closed while listing
                }
            }
        }
        return inodes;
    }

    public static List<Sock> of(long pid) throws IOException {
        Set<Long> inodes = socketInodes(pid);
        List<Sock> out = new ArrayList<>();
        for (String proto : List.of("udp", "udp6", "tcp", "tcp6")) {
            Path table = Path.of("/proc", Long.toString(pid), "net", proto);
            if (!Files.exists(table)) {
                continue;
            }
            List<String> lines = Files.readAllLines(table);
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                long inode = Long.parseLong(f[9]);
                if (!inodes.contains(inode)) {
                    continue;
                }
                String[] local = f[1].split(":");
                String[] remote = f[2].split(":");
                String[] q = f[4].split(":");
                long drops = proto.startsWith("udp") && f.length > 12 ? Long.parseLong(f[12]) : 0;
                out.add(new Sock(proto, hexAddr(local[0]), Integer.parseInt(local[1], 16), hexAddr(remote[0]),
                        Integer.parseInt(remote[1], 16), Integer.parseInt(f[3], 16), Long.parseLong(q[0], 16),
                        Long.parseLong(q[1], 16), drops));
            }
        }
        return out;
    }

    /** Kernel hex (little-endian words) to a readable address; IPv4 as dotted quad, IPv6 as raw hex. */
    static String hexAddr(String hex) {
        if (hex.length() == 8) {
            long v = Long.parseLong(hex, 16);
            return (v & 0xff) + "." + ((v >> 8) & 0xff) + "." + ((v >> 16) & 0xff) + "." + ((v >> 24) & 0xff);
        }
        return hex;
    }
}
