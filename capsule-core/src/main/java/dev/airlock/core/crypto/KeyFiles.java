package dev.airlock.core.crypto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Key files on disk: {@code ID.key.pem} (PKCS#8, mode 0600) and {@code ID.pub.pem} (SubjectPublicKeyInfo). */
public final class KeyFiles {
    private KeyFiles() {
    }

    public static Path privateKeyPath(Path dir, String id) {
        return dir.resolve(id + ".key.pem");
    }

    public static Path publicKeyPath(Path dir, String id) {
        return dir.resolve(id + ".pub.pem");
    }

    /**
     * Writes both files of a new key. The private key file is created with mode 0600 from the start (never world-readable,
     * not even briefly) and is never overwritten: an existing file is an error, so a key cannot be silently replaced.
     */
    public static void write(Path dir, String id, SigningKey key) throws IOException {
        Files.createDirectories(dir);
        Path priv = privateKeyPath(dir, id);
        Path pub = publicKeyPath(dir, id);
        for (Path p : new Path[] {priv, pub}) {
            if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(p.toString(), null, "a key with this id already exists");
            }
        }
        byte[] pem = key.toPem().getBytes(StandardCharsets.US_ASCII);
        boolean posix = Files.getFileStore(dir).supportsFileAttributeView("posix");
        if (posix) {
            Set<PosixFilePermission> perms = PosixFilePermissions.fromString("rw-------");
            Files.createFile(priv, PosixFilePermissions.asFileAttribute(perms));
        } else {
            Files.createFile(priv);
        }
        Files.write(priv, pem, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.SYNC);
        Files.writeString(pub, key.publicKey().toPem(), StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
    }

    public static SigningKey readPrivate(Path file) throws IOException, KeyFormatException {
        return SigningKey.fromPem(Files.readString(file, StandardCharsets.US_ASCII));
    }

    public static PublicKeyHandle readPublic(Path file) throws IOException, KeyFormatException {
        return PublicKeyHandle.fromPem(Files.readString(file, StandardCharsets.US_ASCII));
    }
}
