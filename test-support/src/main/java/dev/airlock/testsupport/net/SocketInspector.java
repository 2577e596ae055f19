package dev.airlock.testsupport.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lists the internet sockets a Linux process holds, from {@code /proc} alone (no {@code ss}, no {@code lsof}): the
 * socket inodes behind {@code /proc/<pid>/fd/*} ({@code socket:[inode]}) are matched with the rows of
 * {@code /proc/<pid>/net/{tcp,tcp6,udp,udp6}}, which describe every socket of the process's network namespace.
 * <p>
 * Used to prove ARCHITECTURE §1 invariants 1 and 2: no listening TCP socket and no bound UDP socket in gateway and
 * runner, and no connection except to the expected broker.
 */
public final class SocketInspector {

    public enum Protocol {
        TCP, UDP
    }

    /** Kernel TCP states ({@code include/net/tcp_states.h}); UDP rows use ESTABLISHED (connected) and CLOSE. */
    public enum State {
        UNKNOWN, ESTABLISHED, SYN_SENT, SYN_RECV, FIN_WAIT1, FIN_WAIT2, TIME_WAIT, CLOSE, CLOSE_WAIT, LAST_ACK,
        LISTEN, CLOSING, NEW_SYN_RECV;

        static State of(int code) {
            return code > 0 && code < values().length ? values()[code] : UNKNOWN;
        }
    }

    /** One socket of the process. {@code remotePort} is 0 for listening and unconnected sockets. */
    public record Socket(Protocol protocol, boolean ipv6, InetAddress localAddress, int localPort,
                         InetAddress remoteAddress, int remotePort, State state, long inode) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s%s %s:%d -> %s:%d %s (inode %d)", protocol, ipv6 ? "6" : "",
                    localAddress.getHostAddress(), localPort, remoteAddress.getHostAddress(), remotePort, state, inode);
        }
    }

    /** The sockets of the process at one instant. */
    public record Snapshot(long pid, List<Socket> sockets) {
        public Snapshot {
            sockets = List.copyOf(sockets);
        }

        /** TCP sockets in state LISTEN: anything that accepts inbound connections. */
        public List<Socket> listeningTcp() {
            return sockets.stream().filter(s -> s.protocol() == Protocol.TCP && s.state() == State.LISTEN).toList();
        }

        /**
         * UDP sockets bound to a local port. The kernel lists a UDP socket only once it has a port, so every UDP row
         * of the process counts: bound explicitly, or implicitly by a {@code connect} or a first {@code send}.
         */
        public List<Socket> boundUdp() {
            return sockets.stream().filter(s -> s.protocol() == Protocol.UDP && s.localPort() != 0).toList();
        }

        /** TCP connections in state ESTABLISHED, with their remote ends. */
        public List<Socket> establishedTcp() {
            return sockets.stream().filter(s -> s.protocol() == Protocol.TCP && s.state() == State.ESTABLISHED)
                    .toList();
        }
    }

    private static final Pattern SOCKET_LINK = Pattern.compile("^socket:\\[(\\d+)]$");

    private final long pid;

    private SocketInspector(long pid) {
        if (pid <= 0) {
            throw new IllegalArgumentException("pid must be positive");
        }
        this.pid = pid;
    }

    public static SocketInspector forPid(long pid) {
        return new SocketInspector(pid);
    }

    public static SocketInspector forCurrentProcess() {
        return new SocketInspector(ProcessHandle.current().pid());
    }

    public long pid() {
        return pid;
    }

    /**
     * Reads the process's sockets now.
     *
     * @throws UncheckedIOException when {@code /proc/<pid>} cannot be read (no such process, not Linux)
     */
    public Snapshot snapshot() {
        Path proc = Path.of("/proc", Long.toString(pid));
        Set<Long> inodes = socketInodes(proc.resolve("fd"));
        List<Socket> sockets = new ArrayList<>();
        read(proc.resolve("net/tcp"), Protocol.TCP, false, inodes, sockets);
        read(proc.resolve("net/tcp6"), Protocol.TCP, true, inodes, sockets);
        read(proc.resolve("net/udp"), Protocol.UDP, false, inodes, sockets);
        read(proc.resolve("net/udp6"), Protocol.UDP, true, inodes, sockets);
        return new Snapshot(pid, sockets);
    }

    private static Set<Long> socketInodes(Path fdDir) {
        Set<Long> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir)) {
            for (Path fd : fds) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (NoSuchFileException e) {
                    continue; // closed while we listed the directory
                }
                Matcher m = SOCKET_LINK.matcher(target);
                if (m.matches()) {
                    inodes.add(Long.parseLong(m.group(1)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + fdDir, e);
        }
        return inodes;
    }

    private static void read(Path table, Protocol protocol, boolean ipv6, Set<Long> inodes, List<Socket> out) {
        List<String> lines;
        try {
            lines = Files.readAllLines(table);
        } catch (NoSuchFileException e) {
            return; // e.g. no IPv6 in this kernel
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + table, e);
        }
        // header: sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 10) {
                continue;
            }
            long inode = Long.parseLong(f[9]);
            if (!inodes.contains(inode)) {
                continue;
            }
            String[] local = f[1].split(":");
            String[] remote = f[2].split(":");
            out.add(new Socket(protocol, ipv6, address(local[0]), Integer.parseInt(local[1], 16),
                    address(remote[0]), Integer.parseInt(remote[1], 16),
                    State.of(Integer.parseInt(f[3], 16)), inode));
        }
    }

    /**
     * The kernel prints each 32-bit word of the address in host byte order; on little-endian machines the bytes of
     * every word are reversed relative to network order.
     */
    static InetAddress address(String hex) {
        byte[] raw = HexFormat.of().parseHex(hex);
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            for (int word = 0; word < raw.length; word += 4) {
                byte b0 = raw[word];
                byte b1 = raw[word + 1];
                raw[word] = raw[word + 3];
                raw[word + 1] = raw[word + 2];
                raw[word + 2] = b1;
                raw[word + 3] = b0;
            }
        }
        try {
            return InetAddress.getByAddress(raw); // IPv4-mapped IPv6 addresses come back as Inet4Address
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bad address " + hex, e);
        }
    }
}
