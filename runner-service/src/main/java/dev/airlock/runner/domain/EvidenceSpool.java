package dev.airlock.runner.domain;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Signed evidence bundles waiting for the broker's acknowledgement ({@code state-dir/spool/<encoded id>.dsse.json},
 * ARCHITECTURE §7 step 5). A bundle is written (fsynced) before its admission is acknowledged and deleted only after
 * the broker acknowledged the bundle; whatever is here at start-up is sent again.
 */
public final class EvidenceSpool {

    private static final String SUFFIX = ".dsse.json";

    /** One spooled bundle. */
    public record Item(String capsuleId, Path file) {
    }

    private final Path dir;

    public EvidenceSpool(Path dir) throws IOException {
        this.dir = DurableFiles.privateDirectory(dir);
    }

    public Path directory() {
        return dir;
    }

    public void write(String capsuleId, byte[] bundle) throws IOException {
        DurableFiles.writeAtomically(file(capsuleId), bundle);
    }

    public boolean contains(String capsuleId) {
        return Files.exists(file(capsuleId), LinkOption.NOFOLLOW_LINKS);
    }

    public byte[] read(String capsuleId) throws IOException {
        return Files.readAllBytes(file(capsuleId));
    }

    /**
     * Removes a bundle the broker acknowledged. Not flushed: a bundle that a power cut brings back is sent again, and the
     * evidence log keeps one entry per leaf hash (the same bytes are a duplicate there, not a second entry).
     */
    public void delete(String capsuleId) throws IOException {
        try {
            Files.delete(file(capsuleId));
        } catch (NoSuchFileException e) {
            // already gone
        }
    }

    /** Every bundle in the spool (temporary files of an interrupted write are skipped). */
    public List<Item> items() throws IOException {
        List<Item> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.startsWith(".")) {
                    continue;
                }
                String id = FileNames.decode(name.substring(0, name.length() - SUFFIX.length()));
                if (id != null) {
                    out.add(new Item(id, f));
                }
            }
        }
        return out;
    }

    public int size() throws IOException {
        return items().size();
    }

    private Path file(String capsuleId) {
        return dir.resolve(FileNames.encode(capsuleId) + SUFFIX);
    }
}
