package dev.airlock.core.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real files: whole replacement, no temporary file left, and a planted link at the temporary name not followed. */
class ReplacedFileTest {
    @TempDir
    Path dir;

    @Test
    void replacesTheWholeFileAndLeavesNothingElse() throws Exception {
        Path file = dir.resolve("status/gateway.json");
        ReplacedFile.replace(file, "first, and longer than the second".getBytes(StandardCharsets.UTF_8));
        ReplacedFile.replace(file, "second".getBytes(StandardCharsets.UTF_8));
        assertEquals("second", Files.readString(file));
        try (var names = Files.list(file.getParent())) {
            assertEquals(List.of(file), names.toList());
        }
    }

    @Test
    void aLinkAtTheTemporaryNameIsRemovedNotWrittenThrough() throws Exception {
        Path file = dir.resolve("metrics.prom");
        Path victim = dir.resolve("victim.txt");
        Files.writeString(victim, "keep me");
        Files.createSymbolicLink(dir.resolve(".metrics.prom.tmp"), victim);
        ReplacedFile.replace(file, "up 1\n".getBytes(StandardCharsets.UTF_8));
        assertEquals("keep me", Files.readString(victim));
        assertTrue(Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(dir.resolve(".metrics.prom.tmp"), LinkOption.NOFOLLOW_LINKS));
        assertEquals("up 1\n", Files.readString(file));
    }
}
