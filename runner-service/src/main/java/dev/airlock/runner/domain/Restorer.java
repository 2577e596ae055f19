package dev.airlock.runner.domain;

import dev.airlock.core.scope.RepoPath;
import dev.airlock.core.scope.Workspace;
import dev.airlock.core.verify.VerificationException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Puts a workspace back to the before-state recorded in a journal and checks it (ARCHITECTURE §7 step 4: "restore the
 * before-state, verify every hash equals before"). Used after a failed validation, in the rollback rehearsal and at
 * start-up after a crash. Every write goes through {@link Workspace}, so a symlink planted meanwhile (by a validation
 * step, say) makes the restore fail rather than write outside the workspace.
 */
public final class Restorer {

    private Restorer() {
    }

    /** Restores every manifest file; returns null when the workspace then matches {@code before}, else what is wrong. */
    public static String restore(Workspace ws, RunJournal.Entry journal) {
        List<String> problems = new ArrayList<>();
        for (JournalRecord.JournalFile f : journal.record().files()) {
            try {
                RepoPath path = RepoPath.of(f.path());
                byte[] copy = journal.copy(f);
                if (copy == null) {
                    if (ws.exists(path)) {
                        ws.delete(path);
                    }
                    removeCreatedDirectories(ws.root(), f.createdDirs());
                } else {
                    if (!Workspace.sha256(copy).equals(f.before())) {
                        problems.add(f.path() + ": the journal's copy does not match its before hash");
                        continue;
                    }
                    ws.write(path, copy);
                    if (f.mode() != null) {
                        Path file = ws.resolve(path);
                        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class,
                                LinkOption.NOFOLLOW_LINKS);
                        if (view != null) {
                            view.setPermissions(PosixFilePermissions.fromString(f.mode()));
                        }
                    }
                }
            } catch (VerificationException e) {
                problems.add(f.path() + ": " + e.reason() + " " + e.detail());
            } catch (IOException | RuntimeException e) {
                problems.add(f.path() + ": " + e);
            }
        }
        String mismatch = verify(ws, journal.record().files(), false);
        if (mismatch != null) {
            problems.add(mismatch);
        }
        return problems.isEmpty() ? null : String.join("; ", problems);
    }

    /**
     * Null when every manifest file has its {@code before} (or, with {@code after}, its {@code after}) hash; otherwise
     * the files that do not.
     */
    public static String verify(Workspace ws, List<JournalRecord.JournalFile> files, boolean after) {
        List<String> wrong = new ArrayList<>();
        for (JournalRecord.JournalFile f : files) {
            String expected = after ? f.after() : f.before();
            try {
                String actual = ws.sha256OrNull(RepoPath.of(f.path()));
                if (!Objects.equals(actual, expected)) {
                    wrong.add(f.path() + " is " + describe(actual) + ", expected " + describe(expected));
                }
            } catch (VerificationException e) {
                wrong.add(f.path() + ": " + e.reason() + " " + e.detail());
            } catch (IOException | RuntimeException e) {
                wrong.add(f.path() + ": " + e);
            }
        }
        return wrong.isEmpty() ? null : String.join("; ", wrong);
    }

    static String describe(String digest) {
        return digest == null ? "absent" : digest;
    }

    /** Removes directories an apply created for a new file, deepest first, if they are empty real directories. */
    private static void removeCreatedDirectories(Path root, List<String> dirs) throws IOException {
        for (int i = dirs.size() - 1; i >= 0; i--) {
            String dir = dirs.get(i);
            Path current = root;
            boolean plain = true;
            for (String segment : dir.split("/")) {
                current = current.resolve(segment);
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(current, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (IOException e) {
                    plain = false;
                    break;
                }
                if (!a.isDirectory() || a.isSymbolicLink()) {
                    plain = false;
                    break;
                }
            }
            if (!plain) {
                continue;
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(current)) {
                if (entries.iterator().hasNext()) {
                    continue;
                }
            }
            Files.delete(current);
        }
    }
}
