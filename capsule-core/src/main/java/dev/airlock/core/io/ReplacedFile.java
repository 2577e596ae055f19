package dev.airlock.core.io;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A file that is rewritten often and read by others: a status file, a node-exporter textfile. Each write goes to a new
 * temporary sibling ({@code .<name>.tmp}, which the textfile collector ignores) and is renamed over the file, so a
 * reader sees the old or the new content, never a torn one. A link left at the temporary name is removed, never written
 * through. Not fsynced: after a crash the process rewrites the file when it starts, so a lost update costs nothing
 * (what a crash must not lose is written with fsync instead, e.g. the runner's journal).
 */
public final class ReplacedFile {
    private ReplacedFile() {
    }

    /** Replaces {@code file} (creating its directory if needed) with {@code content}. */
    public static void replace(Path file, byte[] content) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            Files.createDirectories(dir);
        }
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.write(tmp, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(tmp);
            throw new IOException("cannot rename atomically in " + dir, e);
        }
    }
}
