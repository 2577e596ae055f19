package dev.airlock.runner.domain;

import dev.airlock.core.json.StrictJson;
import dev.airlock.core.verify.VerificationException;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * The crash journal ({@code state-dir/journal/}), one directory per run in progress (ARCHITECTURE §7 step 1: "journal
 * the before-state copies to local disk before touching anything"):
 * <pre>
 * journal/&lt;encoded capsule id&gt;/journal.json   {@link JournalRecord}: phase, manifest, evidence so far
 * journal/&lt;encoded capsule id&gt;/before/&lt;n&gt;      the bytes of manifest file n before the run (absent file: none)
 * </pre>
 * A journal appears atomically: it is built in {@code journal/.tmp-<uuid>/} (every file fsynced), then renamed into
 * place and the parent fsynced; the workspace is written only after that. {@code journal.json} is replaced atomically
 * on every phase change. Removal deletes {@code journal.json} first, so a directory without it is a removal that a crash
 * cut short. Any journal present at start-up is an interrupted run.
 */
public final class RunJournal {

    private static final Logger LOG = Logger.getLogger(RunJournal.class);
    static final String RECORD = "journal.json";
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
        DurableFiles.syncDirectory(copyDir);
        DurableFiles.writeSynced(tmp.resolve(RECORD), StrictJson.write(record));
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
                if (name.startsWith(".tmp-") || !Files.exists(entry.resolve(RECORD), LinkOption.NOFOLLOW_LINKS)) {
                    // Never published (the workspace was not written) or already being removed (the run was done).
                    LOG.infof("Removing incomplete journal directory %s", name);
                    DurableFiles.deleteTree(entry);
                    continue;
                }
                JournalRecord record;
                try {
                    record = StrictJson.read(Files.readAllBytes(entry.resolve(RECORD)), JournalRecord.class, LIMITS);
                } catch (VerificationException e) {
                    throw new IOException("journal " + name + " is unreadable: " + e.detail(), e);
                }
                out.add(new Entry(entry, record));
            }
        }
        DurableFiles.syncDirectory(dir);
        return out;
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

        /** Replaces {@code journal.json} atomically (fsync file, rename, fsync directory). */
        public synchronized JournalRecord update(UnaryOperator<JournalRecord> change) throws IOException {
            JournalRecord next = Objects.requireNonNull(change.apply(record));
            DurableFiles.writeAtomically(path.resolve(RECORD), StrictJson.write(next));
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

        /** Removes the journal: the run is finished and its evidence is in the spool. */
        public void delete() throws IOException {
            try {
                Files.delete(path.resolve(RECORD));
            } catch (NoSuchFileException e) {
                // already gone
            }
            DurableFiles.syncDirectory(path);
            DurableFiles.deleteTree(path);
            DurableFiles.syncDirectory(path.getParent());
        }
    }

    /** Name of the copy of manifest file {@code index} inside a journal. */
    public static String copyName(int index) {
        return COPIES + "/" + index;
    }
}
