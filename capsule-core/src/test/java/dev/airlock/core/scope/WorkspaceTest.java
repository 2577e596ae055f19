package dev.airlock.core.scope;

import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SECURITY-TESTS D.22 on a real file system: symlinks, special files and hard links never lead out. */
class WorkspaceTest {

    @TempDir
    Path tmp;

    private Path root;
    private Path outside;
    private Workspace workspace;

    @BeforeEach
    void setUp() throws IOException, VerificationException {
        root = Files.createDirectory(tmp.resolve("workspace"));
        outside = Files.createDirectory(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "outside secret\n");
        Files.createDirectories(root.resolve("services/payments"));
        Files.writeString(root.resolve("services/payments/pom.xml"), "<project/>\n");
        workspace = Workspace.open(root);
    }

    private static RepoPath p(String value) throws VerificationException {
        return RepoPath.of(value);
    }

    private static String refusal(Executable action) {
        VerificationException e = assertThrows(VerificationException.class, action);
        assertEquals(ReasonCode.SCOPE_VIOLATION, e.reason());
        return e.detail();
    }

    @Test
    void readsAndHashesRegularFiles() throws Exception {
        byte[] content = workspace.readOrNull(p("services/payments/pom.xml"));
        assertEquals("<project/>\n", new String(content, StandardCharsets.UTF_8));
        // sha256 of "<project/>\n"
        assertEquals(Workspace.sha256(content), workspace.sha256OrNull(p("services/payments/pom.xml")));
        assertEquals("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                Workspace.sha256(new byte[0]));
        assertTrue(workspace.exists(p("services/payments/pom.xml")));
    }

    @Test
    void absentFilesReadAsNull() throws Exception {
        assertNull(workspace.readOrNull(p("services/payments/new.txt")));
        assertNull(workspace.sha256OrNull(p("no/such/dir/file")));
        assertFalse(workspace.exists(p("no/such/dir/file")));
        assertEquals(workspace.root().resolve("no/such/dir/file"), workspace.resolve(p("no/such/dir/file")));
    }

    @Test
    void symlinkFilePointingOutsideIsRefused() throws Exception {
        Files.createSymbolicLink(root.resolve("services/payments/link.txt"), outside.resolve("secret.txt"));
        String detail = refusal(() -> workspace.readOrNull(p("services/payments/link.txt")));
        assertEquals("path \"services/payments/link.txt\" is a symlink", detail);
        refusal(() -> Workspace.sha256(root.resolve("services/payments/link.txt")));
    }

    @Test
    void symlinkPointingInsideIsRefusedToo() throws Exception {
        Files.createSymbolicLink(root.resolve("alias.xml"), root.resolve("services/payments/pom.xml"));
        refusal(() -> workspace.readOrNull(p("alias.xml")));
    }

    @Test
    void danglingSymlinkIsNotMistakenForAnAbsentFile() throws Exception {
        Files.createSymbolicLink(root.resolve("services/payments/new.txt"), outside.resolve("created-by-write"));
        refusal(() -> workspace.readOrNull(p("services/payments/new.txt")));
        refusal(() -> workspace.write(p("services/payments/new.txt"), "x".getBytes(StandardCharsets.UTF_8)));
        assertFalse(Files.exists(outside.resolve("created-by-write")));
    }

    @Test
    void symlinkedDirectoryOnTheWayIsRefused() throws Exception {
        Files.createSymbolicLink(root.resolve("services/orders"), outside);
        String detail = refusal(() -> workspace.readOrNull(p("services/orders/secret.txt")));
        assertEquals("path \"services/orders/secret.txt\" goes through a symlink at \"services/orders\"", detail);
        // Also when the final file does not exist yet: a write must not land outside.
        refusal(() -> workspace.write(p("services/orders/dropped.txt"), new byte[] {1}));
        refusal(() -> workspace.write(p("services/orders/sub/dropped.txt"), new byte[] {1}));
        assertFalse(Files.exists(outside.resolve("dropped.txt")));
        assertFalse(Files.exists(outside.resolve("sub")));
    }

    @Test
    void workspaceRootThatIsASymlinkIsRefused() throws Exception {
        Path link = Files.createSymbolicLink(tmp.resolve("link-to-workspace"), root);
        VerificationException e = assertThrows(VerificationException.class, () -> Workspace.open(link));
        assertEquals(ReasonCode.SCOPE_VIOLATION, e.reason());
        assertTrue(e.detail().endsWith("is a symlink"), e.detail());
        assertEquals(ReasonCode.SCOPE_VIOLATION, assertThrows(VerificationException.class,
                () -> Workspace.open(tmp.resolve("missing"))).reason());
        assertEquals(ReasonCode.SCOPE_VIOLATION, assertThrows(VerificationException.class,
                () -> Workspace.open(outside.resolve("secret.txt"))).reason());
    }

    @Test
    void directoryWhereAFileIsExpectedIsRefused() {
        assertEquals("path \"services/payments\" is a directory, not a regular file",
                refusal(() -> workspace.readOrNull(p("services/payments"))));
        refusal(() -> workspace.write(p("services/payments"), new byte[] {1}));
    }

    @Test
    void fileUsedAsADirectoryIsRefused() {
        assertEquals("path \"services/payments/pom.xml/x\" goes through \"services/payments/pom.xml\", which is "
                + "a regular file", refusal(() -> workspace.readOrNull(p("services/payments/pom.xml/x"))));
    }

    @Test
    void fifoIsRefusedWithoutBlocking() throws Exception {
        Path fifo = root.resolve("services/payments/pipe");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor());
        assertEquals("path \"services/payments/pipe\" is a device, fifo or socket, not a regular file",
                refusal(() -> workspace.readOrNull(p("services/payments/pipe"))));
        refusal(() -> Workspace.sha256(fifo));
    }

    @Test
    void deviceIsRefused() throws Exception {
        // /dev/null reached through a path the workspace would otherwise accept: only via a symlink here, and a
        // device can only be created by root; either way it is refused.
        Files.createSymbolicLink(root.resolve("null"), Path.of("/dev/null"));
        refusal(() -> workspace.readOrNull(p("null")));
        refusal(() -> Workspace.sha256(Path.of("/dev/null")));
    }

    @Test
    void hardLinkToAFileOutsideIsRefused() throws Exception {
        Files.createLink(root.resolve("services/payments/hard.txt"), outside.resolve("secret.txt"));
        assertEquals("path \"services/payments/hard.txt\" is a hard link shared with another path",
                refusal(() -> workspace.readOrNull(p("services/payments/hard.txt"))));
        refusal(() -> workspace.write(p("services/payments/hard.txt"), new byte[] {1}));
        assertEquals("outside secret\n", Files.readString(outside.resolve("secret.txt")));
    }

    @Test
    void writeCreatesParentsAndAPlainFile() throws Exception {
        byte[] content = "new\r\nfile\n".getBytes(StandardCharsets.UTF_8);
        workspace.write(p("services/payments/src/main/New.java"), content);
        Path file = root.resolve("services/payments/src/main/New.java");
        assertArrayEquals(content, Files.readAllBytes(file));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        try (var files = Files.list(file.getParent())) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void writeKeepsTheModeOfAnExistingFile() throws Exception {
        Path pom = root.resolve("services/payments/pom.xml");
        Files.setPosixFilePermissions(pom, PosixFilePermissions.fromString("rw-------"));
        workspace.write(p("services/payments/pom.xml"), "<project>2</project>\n".getBytes(StandardCharsets.UTF_8));
        assertEquals("<project>2</project>\n", Files.readString(pom));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pom)));
    }

    @Test
    void deleteRemovesOnlyExistingRegularFiles() throws Exception {
        workspace.delete(p("services/payments/pom.xml"));
        assertFalse(Files.exists(root.resolve("services/payments/pom.xml")));
        refusal(() -> workspace.delete(p("services/payments/pom.xml")));
        Files.createSymbolicLink(root.resolve("gone"), outside.resolve("secret.txt"));
        refusal(() -> workspace.delete(p("gone")));
        assertTrue(Files.exists(outside.resolve("secret.txt")));
    }

    @Test
    void unicodeSpellingsResolveToDifferentFiles() throws Exception {
        workspace.write(p("caf\u00e9.txt"), "nfc".getBytes(StandardCharsets.UTF_8));
        assertNull(workspace.readOrNull(p("cafe\u0301.txt")));
        workspace.write(p("cafe\u0301.txt"), "nfd".getBytes(StandardCharsets.UTF_8));
        assertEquals("nfc", new String(workspace.readOrNull(p("caf\u00e9.txt")), StandardCharsets.UTF_8));
        assertEquals("nfd", new String(workspace.readOrNull(p("cafe\u0301.txt")), StandardCharsets.UTF_8));
    }
}
