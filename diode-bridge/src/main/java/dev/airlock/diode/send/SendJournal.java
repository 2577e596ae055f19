package dev.airlock.diode.send;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The sender's memory of which sequence it gave to which source record, so a record re-consumed after a restart
 * (its offset was not committed yet) is sent with the SAME (stream, sequence) and the receiver's de-duplication
 * collapses it. An entry is fsync'd before the first datagram of its message leaves.
 *
 * <p>Text lines, UTF-8: {@code M <seq> <topic> <partition> <offset> <sha256hex>} (sequence assigned) and
 * {@code S <seq>} (transmitted up to seq, not fsync'd: only the heartbeat's start value). A torn last line from a
 * crash is ignored. When the current file holds {@code maxEntries} assignments it becomes {@code journal.prev.log},
 * so the resend window is between maxEntries and 2·maxEntries messages.
 */
public final class SendJournal implements AutoCloseable {
    /** One assignment. */
    public record Entry(long sequence, String topic, int partition, long offset, String digestHex) {
    }

    private static final String CURRENT = "journal.log";
    private static final String PREVIOUS = "journal.prev.log";
    private static final int LOOKUP_LIMIT = 200_000;

    private final Path dir;
    private final long maxEntries;
    private final Map<String, Entry> bySource = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            return size() > LOOKUP_LIMIT;
        }
    };
    private FileChannel out;
    private long entriesInCurrent;
    private long nextSequence = 1;
    private long lastTransmitted;

    public SendJournal(Path dir, long maxEntries) throws IOException {
        this.dir = dir;
        this.maxEntries = maxEntries;
        Files.createDirectories(dir);
        scan(dir, e -> {
            bySource.put(sourceKey(e.topic(), e.partition(), e.offset()), e);
            nextSequence = Math.max(nextSequence, e.sequence() + 1);
        }, s -> lastTransmitted = Math.max(lastTransmitted, s), true);
        this.out = FileChannel.open(dir.resolve(CURRENT), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
    }

    private static String sourceKey(String topic, int partition, long offset) {
        return topic + '\u0000' + partition + '\u0000' + offset;
    }

    /** Reads both journal files in order; {@code countCurrent} updates the roll counter of an open journal. */
    private void scan(Path dir, Consumer<Entry> onEntry, java.util.function.LongConsumer onSent, boolean countCurrent)
            throws IOException {
        for (String name : List.of(PREVIOUS, CURRENT)) {
            Path f = dir.resolve(name);
            if (!Files.exists(f)) {
                continue;
            }
            try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                String line;
                while ((line = r.readLine()) != null) {
                    String[] p = line.split(" ");
                    try {
                        if (p.length == 6 && p[0].equals("M")) {
                            onEntry.accept(new Entry(Long.parseLong(p[1]), p[2], Integer.parseInt(p[3]),
                                    Long.parseLong(p[4]), p[5]));
                            if (countCurrent && name.equals(CURRENT)) {
                                entriesInCurrent++;
                            }
                        } else if (p.length == 2 && p[0].equals("S")) {
                            onSent.accept(Long.parseLong(p[1]));
                        }
                    } catch (NumberFormatException torn) {
                        // a line cut by a crash: nothing was sent for it (the fsync did not complete)
                    }
                }
            }
        }
    }

    /** Entries with sequences in [from, to], for {@code resend}. Reads the files; usable while a sender runs. */
    public static List<Entry> read(Path dir, long from, long to) throws IOException {
        List<Entry> found = new ArrayList<>();
        Map<Long, Entry> latest = new LinkedHashMap<>();
        new SendJournal.Reader(dir).scan(e -> {
            if (e.sequence() >= from && e.sequence() <= to) {
                latest.put(e.sequence(), e);
            }
        });
        found.addAll(latest.values());
        found.sort(java.util.Comparator.comparingLong(Entry::sequence));
        return found;
    }

    private record Reader(Path dir) {
        void scan(Consumer<Entry> onEntry) throws IOException {
            for (String name : List.of(PREVIOUS, CURRENT)) {
                Path f = dir.resolve(name);
                if (!Files.exists(f)) {
                    continue;
                }
                try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        String[] p = line.split(" ");
                        if (p.length == 6 && p[0].equals("M")) {
                            try {
                                onEntry.accept(new Entry(Long.parseLong(p[1]), p[2], Integer.parseInt(p[3]),
                                        Long.parseLong(p[4]), p[5]));
                            } catch (NumberFormatException torn) {
                                // torn tail
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * The sequence for a source record: the one it had before when the journal knows it with the same digest,
     * else a new one. New assignments are buffered until {@link #sync()}.
     */
    public Assignment assign(String topic, int partition, long offset, byte[] digest) {
        String hex = HexFormat.of().formatHex(digest);
        String key = sourceKey(topic, partition, offset);
        Entry known = bySource.get(key);
        if (known != null && known.digestHex().equals(hex)) {
            return new Assignment(known.sequence(), true);
        }
        Entry e = new Entry(nextSequence++, topic, partition, offset, hex);
        bySource.put(key, e);
        pending.append(String.format(Locale.ROOT, "M %d %s %d %d %s%n", e.sequence(), topic, partition, offset, hex));
        entriesInCurrent++;
        return new Assignment(e.sequence(), false);
    }

    /** A sequence and whether it was already assigned before (a re-consumed record). */
    public record Assignment(long sequence, boolean reused) {
    }

    private final StringBuilder pending = new StringBuilder();

    /** Writes and fsyncs the buffered assignments. Call before the first datagram of any of them. */
    public void sync() throws IOException {
        if (pending.length() == 0) {
            return;
        }
        write(pending.toString());
        pending.setLength(0);
        out.force(false);
        if (entriesInCurrent >= maxEntries) {
            roll();
        }
    }

    /** Records that everything up to {@code seq} has been transmitted once (no fsync). */
    public void transmitted(long seq) {
        lastTransmitted = Math.max(lastTransmitted, seq);
        try {
            write("S " + seq + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long lastTransmitted() {
        return lastTransmitted;
    }

    public long nextSequence() {
        return nextSequence;
    }

    private void write(String s) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            out.write(b);
        }
    }

    private void roll() throws IOException {
        out.force(true);
        out.close();
        Files.move(dir.resolve(CURRENT), dir.resolve(PREVIOUS), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        out = FileChannel.open(dir.resolve(CURRENT), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        // the roll itself must survive: a lost CURRENT with a fresh counter would reuse sequences
        write("S " + lastTransmitted + "\n");
        out.force(true);
        entriesInCurrent = 0;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
