package dev.airlock.runner.domain;

import dev.airlock.core.json.StrictJson;
import dev.airlock.core.verify.VerificationException;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * The crash journal ({@code state-dir/journal/}), one directory per run in progress (ARCHITECTURE §7 step 1: "journal
 * the before-state copies to local disk before touching anything"):
 * <pre>
 * journal/&lt;encoded capsule id&gt;/journal.log    {@link JournalRecord}s, one frame per phase change, the last in force
 * journal/&lt;encoded capsule id&gt;/before/&lt;n&gt;      the bytes of manifest file n before the run (absent file: none)
 * </pre>
 * A journal appears atomically: it is built in {@code journal/.tmp-<uuid>/} (every file fsynced), then renamed into
 * place and the parent fsynced; the workspace is written only after that. A phase change appends a frame to
 * {@code journal.log} and fdatasyncs it before the step it announces ({@link #frame}: length, SHA-256, record), so a
 * phase change costs one flush and no new file; the record in force is the last frame whose checksum holds, and a frame
 * torn by a crash can only be the last one, written for a step that had not begun. Removal deletes {@code journal.log}
 * first, so a directory without it is a removal that a crash cut short; it is not flushed, because a journal that
 * reappears after a power cut belongs to a run whose evidence is already durable (spooled or recorded as executed), which
 * the recovery only removes. A {@code journal.json} (one record, the format before the log) is still read at start-up.
 */
public final class RunJournal {

    private static final Logger LOG = Logger.getLogger(RunJournal.class);
    static final String LOG_FILE = "journal.log";
    /** The single-record journal of runners before the log; read at start-up, never written. */
    static final String LEGACY_RECORD = "journal.json";
    /** First bytes of {@code journal.log}. */
    static final byte[] MAGIC = "AIRLOCK-RUNNER-JOURNAL-LOG/1\n".getBytes(StandardCharsets.US_ASCII);
    /** A frame: payload length (4 bytes, big-endian), SHA-256 of the payload (32 bytes), payload. */
    static final int FRAME_HEADER = 4 + 32;
    static final String COPIES = "before";
    private static final StrictJson.Limits LIMITS = new StrictJson.Limits(256L * 1024 * 1024, 32, 1_000_000);

    private final Path dir;

    public RunJournal(Path dir) throws IOException {
        this.dir = DurableFiles.privateDirectory(dir);
    }

    public Path directory() {
        return dir;
    }

    /**
     * Writes a complete journal for a new run: the record and the before-state copies ({@code copies} by manifest
     * index; a file without a copy did not exist).
     */
    public Entry begin(JournalRecord record, Map<Integer, byte[]> copies) throws IOException {
        Path target = dir.resolve(FileNames.encode(record.capsuleId()));
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("a journal for " + record.capsuleId() + " already exists");
        }
        Path tmp = dir.resolve(".tmp-" + UUID.randomUUID());
        Files.createDirectory(tmp);
        Path copyDir = Files.createDirectory(tmp.resolve(COPIES));
        for (Map.Entry<Integer, byte[]> copy : copies.entrySet()) {
            DurableFiles.writeSynced(copyDir.resolve(Integer.toString(copy.getKey())), copy.getValue());
        }
        if (!copies.isEmpty()) {
            DurableFiles.syncDirectory(copyDir);
        }
        byte[] first = frame(StrictJson.write(record));
        byte[] log = new byte[MAGIC.length + first.length];
        System.arraycopy(MAGIC, 0, log, 0, MAGIC.length);
        System.arraycopy(first, 0, log, MAGIC.length, first.length);
        DurableFiles.writeSynced(tmp.resolve(LOG_FILE), log);
        DurableFiles.syncDirectory(tmp);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        DurableFiles.syncDirectory(dir);
        return new Entry(target, record);
    }

    /**
     * Every journal left by an earlier process; each is independent. Directories that never became a journal (a build
     * cut short) and removals cut short are deleted here.
     */
    public List<Entry> leftovers() throws IOException {
        List<Entry> out = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.startsWith(".tmp-") || !Files.exists(entry.resolve(LOG_FILE), LinkOption.NOFOLLOW_LINKS)
                        && !Files.exists(entry.resolve(LEGACY_RECORD), LinkOption.NOFOLLOW_LINKS)) {
                    // Never published (the workspace was not written) or already being removed (the run was done).
                    LOG.infof("Removing incomplete journal directory %s", name);
                    DurableFiles.deleteTree(entry);
                    continue;
                }
                out.add(new Entry(entry, read(entry)));
            }
        }
        DurableFiles.syncDirectory(dir);
        return out;
    }

    /**
     * The record in force in one journal directory: the last complete frame of {@code journal.log} (checksum checked
     * before the JSON is parsed), or a {@code journal.json} written before the log.
     */
    public static JournalRecord read(Path journalDirectory) throws IOException {
        String name = journalDirectory.getFileName().toString();
        Path log = journalDirectory.resolve(LOG_FILE);
        byte[] json = Files.exists(log, LinkOption.NOFOLLOW_LINKS) ? lastRecord(Files.readAllBytes(log), name)
                : Files.readAllBytes(journalDirectory.resolve(LEGACY_RECORD));
        try {
            return StrictJson.read(json, JournalRecord.class, LIMITS);
        } catch (VerificationException e) {
            throw new IOException("journal " + name + " is unreadable: " + e.detail(), e);
        }
    }

    /** The journal of one run. */
    public static final class Entry {
        private final Path path;
        private volatile JournalRecord record;

        Entry(Path path, JournalRecord record) {
            this.path = path;
            this.record = record;
        }

        public JournalRecord record() {
            return record;
        }

        public Path path() {
            return path;
        }

        /**
         * Appends the changed record to {@code journal.log} and fdatasyncs it; returns once it is durable. When this
         * throws, the entry is left as it is for the recovery at the next start (nothing more is appended to it).
         */
        public synchronized JournalRecord update(UnaryOperator<JournalRecord> change) throws IOException {
            JournalRecord next = Objects.requireNonNull(change.apply(record));
            ByteBuffer buf = ByteBuffer.wrap(frame(StrictJson.write(next)));
            try (FileChannel ch = FileChannel.open(path.resolve(LOG_FILE), StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND, LinkOption.NOFOLLOW_LINKS)) {
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(false);
            }
            record = next;
            return next;
        }

        /** The before-state copy of a manifest file, or null when the file did not exist. */
        public byte[] copy(JournalRecord.JournalFile file) throws IOException {
            if (file.copy() == null) {
                return null;
            }
            if (!file.copy().matches(COPIES + "/[0-9]{1,6}")) {
                throw new IOException("journal names a copy outside itself: " + file.copy());
            }
            return Files.readAllBytes(path.resolve(file.copy()));
        }

        /**
         * Removes the journal: the run is finished and its evidence is durable (spooled, or the capsule recorded as
         * executed). Not flushed: if a power cut brings the journal back, the recovery finds the run finished and only
         * removes it again; a directory left without its log is removed as incomplete.
         */
        public void delete() throws IOException {
            for (String record : List.of(LOG_FILE, LEGACY_RECORD)) {
                try {
                    Files.delete(path.resolve(record));
                } catch (NoSuchFileException e) {
                    // already gone, or the other format
                }
            }
            DurableFiles.deleteTree(path);
        }
    }

    /** One frame of {@code journal.log}: the payload's length and SHA-256, then the payload. */
    static byte[] frame(byte[] payload) {
        ByteBuffer buf = ByteBuffer.allocate(FRAME_HEADER + payload.length);
        buf.putInt(payload.length);
        buf.put(sha256(payload));
        buf.put(payload);
        return buf.array();
    }

    /**
     * The payload of the last complete frame of a {@code journal.log}, checked before it is parsed. An incomplete frame
     * or one whose checksum fails is accepted only at the end of the file (an append a crash cut short: the record
     * before it is the one in force), and only when neither its own digest nor a complete frame after it shows that the
     * append had finished ({@link #completeFrameFrom}); anything after a bad frame, or a log without one good frame, is
     * an unreadable journal.
     */
    static byte[] lastRecord(byte[] log, String name) throws IOException {
        if (log.length < MAGIC.length || !Arrays.equals(log, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new IOException("journal " + name + " is not a runner journal log");
        }
        int pos = MAGIC.length;
        int from = -1;
        int length = 0;
        while (log.length - pos >= FRAME_HEADER) {
            int len = ByteBuffer.wrap(log, pos, 4).getInt();
            if (len <= 0 || len > log.length - pos - FRAME_HEADER) {
                // torn: the header promises more than was written (or zeros where the frame would be), unless what
                // follows shows the append did complete and this length was damaged afterwards
                int complete = completeFrameFrom(log, pos);
                if (complete >= 0) {
                    throw new IOException("journal " + name + " is corrupt: the frame at byte " + pos + " has a "
                            + "length that does not match its bytes, and a complete frame "
                            + (complete == pos ? "is there" : "follows at byte " + complete));
                }
                break;
            }
            int payload = pos + FRAME_HEADER;
            byte[] digest = sha256(Arrays.copyOfRange(log, payload, payload + len));
            if (!Arrays.equals(digest, 0, 32, log, pos + 4, pos + 4 + 32)) {
                if (payload + len < log.length) {
                    throw new IOException("journal " + name + " is corrupt: the frame at byte " + pos
                            + " fails its checksum and is not the last");
                }
                break;
            }
            from = payload;
            length = len;
            pos = payload + len;
        }
        if (from < 0) {
            throw new IOException("journal " + name + " holds no complete record");
        }
        if (pos < log.length) {
            LOG.warnf("Journal %s ends with %d bytes of an append that did not complete; the record before it is in "
                    + "force", name, log.length - pos);
        }
        return Arrays.copyOfRange(log, from, from + length);
    }

    /**
     * Where a complete frame lies at or after {@code pos}, although the length at {@code pos} does not fit (-1: none).
     * A crash cuts short only the last append, so the bytes of a torn frame are a prefix of one frame: its payload
     * cannot match the digest in its header, and no complete frame can follow it. Either one means the append finished
     * and its length field was damaged afterwards, so reading the frame before it as the one in force would go back to
     * an older record: that journal is corrupt, not torn (fail closed). The payload of a frame is JSON text, which has
     * no zero bytes, so only offsets whose length fits are hashed.
     */
    static int completeFrameFrom(byte[] log, int pos) {
        if (log.length - pos > FRAME_HEADER && digestMatches(log, pos, pos + FRAME_HEADER, log.length)) {
            return pos; // the payload runs to the end of the file and matches: only the length is wrong
        }
        for (int q = pos + 1; log.length - q > FRAME_HEADER; q++) {
            int len = ByteBuffer.wrap(log, q, 4).getInt();
            if (len > 0 && len <= log.length - q - FRAME_HEADER
                    && digestMatches(log, q, q + FRAME_HEADER, q + FRAME_HEADER + len)) {
                return q;
            }
        }
        return -1;
    }

    private static boolean digestMatches(byte[] log, int header, int from, int to) {
        byte[] digest = sha256(Arrays.copyOfRange(log, from, to));
        return Arrays.equals(digest, 0, 32, log, header + 4, header + 4 + 32);
    }

    private static byte[] sha256(byte[] payload) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(payload);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Name of the copy of manifest file {@code index} inside a journal. */
    public static String copyName(int index) {
        return COPIES + "/" + index;
    }
}
