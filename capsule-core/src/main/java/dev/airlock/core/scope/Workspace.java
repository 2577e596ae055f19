package dev.airlock.core.scope;

import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A workspace root on the runner's (or the planner's mirror's) disk, and the only way Airlock code turns a
 * {@link RepoPath} into a file (ARCHITECTURE §3.2: "no symlink in the workspace"; SECURITY-TESTS D.22).
 *
 * <p>Resolution walks the path one component at a time with {@link LinkOption#NOFOLLOW_LINKS} and refuses
 * ({@link ReasonCode#SCOPE_VIOLATION}) a symlink anywhere on the way, an intermediate component that is not a
 * directory, a final component that exists but is not a regular file (directory, fifo, device, socket), and a regular
 * file with more than one hard link (it may be the same inode as a file outside the workspace). It then re-checks that
 * the real path of the deepest existing component is exactly the expected path under the real root, which also refuses
 * spellings that a case-insensitive or normalising file system would fold onto another file ({@code .GIT/config}).
 *
 * <p>Reads open with {@code O_NOFOLLOW}; writes go to a temporary file in the same directory and are renamed over the
 * target, so a symlink planted at the target after the check is replaced, never followed. Missing parent directories
 * are created one at a time and re-checked. These checks do not defend against a concurrent attacker with write access
 * to the workspace racing each step (no {@code openat} in Java); the workspace is assumed to be owned by the runner.
 */
public final class Workspace {

    private static final Set<PosixFilePermission> NEW_FILE_MODE = PosixFilePermissions.fromString("rw-r--r--");

    private final Path root;

    private Workspace(Path root) {
        this.root = root;
    }

    /**
     * Opens a workspace. The root must be an existing directory and not itself a symlink; its real path becomes the
     * base of every resolution.
     */
    public static Workspace open(Path root) throws VerificationException, IOException {
        Objects.requireNonNull(root, "root");
        Path abs = root.toAbsolutePath();
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(abs, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new VerificationException(ReasonCode.SCOPE_VIOLATION, "workspace root " + abs + " does not exist");
        }
        if (attrs.isSymbolicLink()) {
            throw new VerificationException(ReasonCode.SCOPE_VIOLATION, "workspace root " + abs + " is a symlink");
        }
        if (!attrs.isDirectory()) {
            throw new VerificationException(ReasonCode.SCOPE_VIOLATION,
                    "workspace root " + abs + " is not a directory");
        }
        return new Workspace(abs.toRealPath());
    }

    /** The real path of the root. */
    public Path root() {
        return root;
    }

    /**
     * Resolves a path for reading or writing: every existing component is checked (see the class comment); the final
     * component may be absent. Returns the absolute file path under {@link #root()}.
     */
    public Path resolve(RepoPath path) throws VerificationException, IOException {
        return walk(path).file;
    }

    /** Whether the path currently names a (checked) regular file. */
    public boolean exists(RepoPath path) throws VerificationException, IOException {
        return walk(path).exists;
    }

    /** The file's bytes, or null when it does not exist (a manifest's {@code before: null}). */
    public byte[] readOrNull(RepoPath path) throws VerificationException, IOException {
        Resolved r = walk(path);
        if (!r.exists) {
            return null;
        }
        try (SeekableByteChannel ch = Files.newByteChannel(r.file, StandardOpenOption.READ,
                LinkOption.NOFOLLOW_LINKS)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE - 16) {
                throw new VerificationException(ReasonCode.TOO_LARGE, "file " + RepoPath.quote(path.value())
                        + " is too large to read");
            }
            ByteBuffer buf = ByteBuffer.allocate((int) size);
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // read fully
            }
            if (buf.hasRemaining() || ch.read(ByteBuffer.allocate(1)) >= 0) {
                throw new IOException("file " + r.file + " changed size while it was read");
            }
            return buf.array();
        }
    }

    /** {@code "sha256:" + hex} of the file, or null when it does not exist (a manifest's {@code before: null}). */
    public String sha256OrNull(RepoPath path) throws VerificationException, IOException {
        Resolved r = walk(path);
        return r.exists ? sha256(r.file) : null;
    }

    /**
     * Replaces (or creates) the file with exactly {@code content}. An existing file keeps its permissions; a new file
     * gets {@code rw-r--r--} (the only mode a patch may describe is 100644). Missing parent directories are created.
     */
    public void write(RepoPath path, byte[] content) throws VerificationException, IOException {
        Objects.requireNonNull(content, "content");
        Resolved r = walk(path);
        Path parent = ensureParents(path);
        Set<PosixFilePermission> mode = NEW_FILE_MODE;
        boolean posix = Files.getFileStore(parent).supportsFileAttributeView("posix");
        if (r.exists && posix) {
            mode = Files.getPosixFilePermissions(r.file, LinkOption.NOFOLLOW_LINKS);
        }
        Path tmp = Files.createTempFile(parent, ".airlock-", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            if (posix) {
                Files.setPosixFilePermissions(tmp, mode);
            }
            try {
                // rename(2) replaces whatever is at the target (even a symlink planted since the check) without
                // following it.
                Files.move(tmp, r.file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("workspace file system cannot rename atomically", e);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        walk(path); // the result must pass the same checks as anything read later
    }

    /** Deletes an existing regular file (a patch's deletion). Directories left empty stay. */
    public void delete(RepoPath path) throws VerificationException, IOException {
        Resolved r = walk(path);
        if (!r.exists) {
            throw new VerificationException(ReasonCode.SCOPE_VIOLATION,
                    "cannot delete " + RepoPath.quote(path.value()) + ": it does not exist");
        }
        Files.delete(r.file);
    }

    /** {@code "sha256:" + lowercase hex} of a regular file, read without following a symlink. */
    public static String sha256(Path file) throws VerificationException, IOException {
        BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attrs.isRegularFile()) {
            // Checked before opening: opening a fifo for reading would block until a writer appears.
            throw new VerificationException(ReasonCode.SCOPE_VIOLATION, file + " is " + kind(attrs));
        }
        MessageDigest md = sha256Digest();
        try (SeekableByteChannel ch = Files.newByteChannel(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            while (ch.read(buf) >= 0) {
                buf.flip();
                md.update(buf);
                buf.clear();
            }
        }
        return "sha256:" + HexFormat.of().formatHex(md.digest());
    }

    /** {@code "sha256:" + lowercase hex} of bytes (the form of a manifest's {@code before}/{@code after}). */
    public static String sha256(byte[] content) {
        return "sha256:" + HexFormat.of().formatHex(sha256Digest().digest(content));
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JDK", e);
        }
    }

    private record Resolved(Path file, boolean exists) {
    }

    private Resolved walk(RepoPath path) throws VerificationException, IOException {
        Objects.requireNonNull(path, "path");
        List<String> segments = path.segments();
        Path current = root;
        for (int i = 0; i < segments.size(); i++) {
            boolean last = i == segments.size() - 1;
            try {
                current = current.resolve(segments.get(i));
            } catch (InvalidPathException e) {
                throw violation(path, "cannot be represented on this host's file system");
            }
            BasicFileAttributes attrs;
            try {
                attrs = Files.readAttributes(current, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                // Nothing further exists; what does exist must still be exactly where we think it is.
                checkReal(path, current.getParent());
                return new Resolved(root.resolve(path.value()), false);
            }
            String where = String.join("/", segments.subList(0, i + 1));
            if (attrs.isSymbolicLink()) {
                throw violation(path, last ? "is a symlink" : "goes through a symlink at " + RepoPath.quote(where));
            }
            if (!last && !attrs.isDirectory()) {
                throw violation(path, "goes through " + RepoPath.quote(where) + ", which is " + kind(attrs));
            }
            if (last && !attrs.isRegularFile()) {
                throw violation(path, "is " + kind(attrs) + ", not a regular file");
            }
            if (last && linkCount(current) > 1) {
                throw violation(path, "is a hard link shared with another path");
            }
        }
        checkReal(path, current);
        return new Resolved(current, true);
    }

    private void checkReal(RepoPath path, Path existing) throws VerificationException, IOException {
        Path real = existing.toRealPath();
        if (!real.startsWith(root)) {
            throw violation(path, "resolves outside the workspace");
        }
        if (!real.equals(existing)) {
            throw violation(path, "resolves to a differently spelled path " + RepoPath.quote(root.relativize(real)
                    .toString()) + " (case-insensitive or normalising file system)");
        }
    }

    private Path ensureParents(RepoPath path) throws VerificationException, IOException {
        List<String> segments = path.segments();
        Path current = root;
        for (int i = 0; i < segments.size() - 1; i++) {
            current = current.resolve(segments.get(i));
            try {
                Files.createDirectory(current);
            } catch (FileAlreadyExistsException e) {
                // fine, checked below
            }
            BasicFileAttributes attrs = Files.readAttributes(current, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (attrs.isSymbolicLink() || !attrs.isDirectory()) {
                throw violation(path, "goes through " + RepoPath.quote(String.join("/", segments.subList(0, i + 1)))
                        + ", which is " + kind(attrs));
            }
        }
        checkReal(path, current);
        return current;
    }

    private static long linkCount(Path file) throws IOException {
        try {
            Object n = Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
            return n instanceof Number num ? num.longValue() : 1;
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return 1; // no unix view (not a POSIX host): nothing to check
        }
    }

    private static String kind(BasicFileAttributes attrs) {
        if (attrs.isSymbolicLink()) {
            return "a symlink";
        }
        if (attrs.isDirectory()) {
            return "a directory";
        }
        if (attrs.isOther()) {
            return "a device, fifo or socket";
        }
        return attrs.isRegularFile() ? "a regular file" : "not a regular file";
    }

    private static VerificationException violation(RepoPath path, String what) {
        return new VerificationException(ReasonCode.SCOPE_VIOLATION, "path " + RepoPath.quote(path.value()) + " "
                + what);
    }

    @Override
    public String toString() {
        return "Workspace[" + root + "]";
    }
}
