package dev.airlock.runner.domain;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.airlock.core.json.StrictJson;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The durable record of capsules this runner has finished ({@code state-dir/executed/<encoded id>.json}), so that a
 * redelivered admission never runs twice (SECURITY-TESTS D.18, F.33). A capsule is recorded once its evidence is in
 * the spool, before its journal is removed and before the admission is acknowledged.
 */
public final class ExecutedCapsules {

    /** What is kept per capsule. */
    @RegisterForReflection
    @JsonPropertyOrder({"capsuleId", "capsuleDigest", "outcome", "finishedAt"})
    public record Entry(String capsuleId, String capsuleDigest, String outcome, Instant finishedAt) {
    }

    private final Path dir;

    public ExecutedCapsules(Path dir) throws IOException {
        this.dir = DurableFiles.privateDirectory(dir);
    }

    public boolean contains(String capsuleId) {
        return Files.exists(file(capsuleId), LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Records a capsule durably (the file fsynced, then the directory). Only the file's existence is the record, so it is
     * created in place rather than renamed into place: a file that a crash left short still says the capsule finished,
     * which is true once its evidence is spooled; recording it again keeps the existing file.
     */
    public void record(Entry entry) throws IOException {
        Path f = file(entry.capsuleId());
        try {
            DurableFiles.writeSynced(f, StrictJson.write(entry));
        } catch (FileAlreadyExistsException e) {
            if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                throw e;
            }
        }
        DurableFiles.syncDirectory(dir);
    }

    private Path file(String capsuleId) {
        return dir.resolve(FileNames.encode(capsuleId) + ".json");
    }
}
