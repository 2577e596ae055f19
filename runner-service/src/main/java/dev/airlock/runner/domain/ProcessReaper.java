package dev.airlock.runner.domain;

import org.jboss.logging.Logger;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds and kills the processes of one validation run, from {@code /proc} (Linux). A validation starts in a session of
 * its own ({@code setsid}) and carries {@code AIRLOCK_RUN_TOKEN=<token>} in its environment, which every descendant
 * inherits. A process belongs to the run when its environment carries the token, or when it is in the run's session and
 * that session is provably the run's (its leader is alive with the recorded start time, or gone and the process started
 * after it). Killing by session alone would risk a stranger's session after pid reuse; by token alone, a child that
 * cleared its environment.
 */
public final class ProcessReaper {

    private static final Logger LOG = Logger.getLogger(ProcessReaper.class);
    private static final Path PROC = Path.of("/proc");
    private static final int MAX_ROUNDS = 50;

    private ProcessReaper() {
    }

    /** One line of {@code /proc/<pid>/stat}. */
    record Stat(long pid, char state, long session, long startTicks) {
        boolean zombie() {
            return state == 'Z' || state == 'X';
        }
    }

    /** The current boot's id ({@code /proc/sys/kernel/random/boot_id}), or "" when unreadable. */
    public static String bootId() {
        try {
            return Files.readString(PROC.resolve("sys/kernel/random/boot_id"), StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            return "";
        }
    }

    /** Start time of a process in clock ticks since boot (field 22 of {@code stat}), when it exists. */
    public static Long startTicks(long pid) {
        return stat(pid).map(Stat::startTicks).orElse(null);
    }

    /** Whether a process exists and is not a zombie. */
    public static boolean running(long pid) {
        return stat(pid).map(s -> !s.zombie()).orElse(false);
    }

    static Optional<Stat> stat(long pid) {
        return stat(pid, new byte[STAT_BUFFER]);
    }

    /** A {@code stat} line is about 300 bytes; {@code comm} is at most 64. */
    private static final int STAT_BUFFER = 1024;

    /**
     * Reads and parses {@code /proc/<pid>/stat} into {@code buf}. A scan reads this for every process on the host after
     * every validation step, so it avoids the NIO channel and string splitting: 12 instead of 20 µs per process here.
     */
    static Optional<Stat> stat(long pid, byte[] buf) {
        int n = 0;
        try (FileInputStream in = new FileInputStream("/proc/" + pid + "/stat")) {
            for (int r; n < buf.length && (r = in.read(buf, n, buf.length - n)) > 0; ) {
                n += r;
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        // "pid (comm) state ppid pgrp session ...": comm may hold spaces and parentheses, so parse after the last ')'.
        int close = -1;
        for (int i = n - 1; i >= 0; i--) {
            if (buf[i] == ')') {
                close = i;
                break;
            }
        }
        if (close < 0 || close + 3 >= n || buf[close + 1] != ' ') {
            return Optional.empty();
        }
        // fields after comm, counted from 0: state, ppid, pgrp, session (3), ..., starttime (19)
        char state = (char) buf[close + 2];
        long session = -1;
        long start = -1;
        int field = 0;
        int i = close + 2;
        while (i < n && field <= 19) {
            int end = i;
            while (end < n && buf[end] != ' ' && buf[end] != '\n') {
                end++;
            }
            if (field == 3 || field == 19) {
                long v = digits(buf, i, end);
                if (v < 0) {
                    return Optional.empty();
                }
                if (field == 3) {
                    session = v;
                } else {
                    start = v;
                }
            }
            field++;
            i = end + 1;
        }
        return start < 0 ? Optional.empty() : Optional.of(new Stat(pid, state, session, start));
    }

    /** The non-negative decimal in {@code buf[from, to)}, or -1. */
    private static long digits(byte[] buf, int from, int to) {
        if (from >= to || to - from > 18) {
            return -1;
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            if (buf[i] < '0' || buf[i] > '9') {
                return -1;
            }
            v = v * 10 + (buf[i] - '0');
        }
        return v;
    }

    /**
     * Kills every process of a run (SIGKILL), repeating until none is left (a process may fork while it is killed).
     *
     * @param token        the run's {@code AIRLOCK_RUN_TOKEN}
     * @param leader       pid of the session leader (the validation process as started), or null
     * @param leaderTicks  its start time in ticks, or null when unknown (then the session is not used); a process that
     *                     started earlier is never a member
     * @return how many processes were signalled
     */
    public static int kill(String token, Long leader, Long leaderTicks) {
        byte[] needle = ("AIRLOCK_RUN_TOKEN=" + token + "\0").getBytes(StandardCharsets.UTF_8);
        long self = ProcessHandle.current().pid();
        int killed = 0;
        for (int round = 0; round < MAX_ROUNDS; round++) {
            List<Long> targets = members(needle, leader, leaderTicks, self);
            if (targets.isEmpty()) {
                return killed;
            }
            for (long pid : targets) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                killed++;
            }
            try {
                Thread.sleep(20); // let the kernel deliver SIGKILL before looking again; not a test synchronisation
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return killed;
            }
        }
        LOG.warnf("Processes of validation run %s survived %d rounds of SIGKILL", token, MAX_ROUNDS);
        return killed;
    }

    private static List<Long> members(byte[] needle, Long leader, Long leaderTicks, long self) {
        Stat leaderStat = leader == null ? null : stat(leader).orElse(null);
        boolean sessionIsOurs = leader != null && leaderTicks != null
                && (leaderStat == null || leaderStat.startTicks() == leaderTicks);
        List<Long> out = new ArrayList<>();
        byte[] buf = new byte[STAT_BUFFER];
        // java.io.File lists names without a Path per entry: the scan runs after every validation step
        String[] names = PROC.toFile().list();
        if (names == null) {
            LOG.warnf("Cannot list %s", PROC);
            return out;
        }
        for (String name : names) {
            if (!isPid(name)) {
                continue;
            }
            long pid = Long.parseLong(name);
            if (pid == self) {
                continue;
            }
            Stat s = stat(pid, buf).orElse(null);
            if (s == null || s.zombie()) {
                continue;
            }
            // Every process of the run started at or after its first one: an older process cannot be a member, and
            // reading its environment (the kernel walks another process's memory for it) is most of the cost of a
            // scan on a busy host (about 100 processes next to a stack).
            if (leaderTicks != null && s.startTicks() < leaderTicks) {
                continue;
            }
            boolean inSession = sessionIsOurs && s.session() == leader;
            if (inSession || environContains(PROC.resolve(name), needle)) {
                out.add(pid);
            }
        }
        return out;
    }

    private static boolean environContains(Path proc, byte[] needle) {
        byte[] env;
        try {
            env = Files.readAllBytes(proc.resolve("environ"));
        } catch (IOException | SecurityException e) {
            return false; // gone, or not ours (another user's environment is not readable)
        }
        // The environment is NUL-separated; match whole entries only.
        outer:
        for (int i = 0; i + needle.length <= env.length; i++) {
            if (i > 0 && env[i - 1] != 0) {
                continue;
            }
            for (int j = 0; j < needle.length; j++) {
                if (env[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static boolean isPid(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) < '0' || name.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
