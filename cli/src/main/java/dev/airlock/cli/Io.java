package dev.airlock.cli;

import dev.airlock.core.capsule.SignedCapsule;
import dev.airlock.core.crypto.KeyFormatException;
import dev.airlock.core.crypto.SigningKey;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.verify.VerificationException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Locale;
import java.util.Set;

/** File input and output for the commands, with one-line, human-readable errors. */
final class Io {
    /** Largest document read at all: the largest {@code maxCapsuleBytes} a policy may set (64 MiB). */
    static final long MAX_DOCUMENT_BYTES = 64L * 1024 * 1024;
    /** Key files are a few hundred bytes; anything much larger is not a key. */
    static final long MAX_KEY_BYTES = 64L * 1024;

    private Io() {
    }

    /**
     * Reads at most {@code cap + 1} bytes: enough for the size check downstream to name an oversized document
     * {@code TOO_LARGE} without ever holding more than that in memory.
     */
    static byte[] read(Path file, String what, long cap) throws CliException {
        if (!Files.exists(file)) {
            throw new CliException(String.format(Locale.ROOT, "%s '%s' does not exist", what, file));
        }
        if (Files.isDirectory(file)) {
            throw new CliException(String.format(Locale.ROOT, "%s '%s' is a directory, expected a file", what, file));
        }
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, cap + 1));
        } catch (IOException e) {
            throw new CliException(String.format(Locale.ROOT, "cannot read %s '%s': %s", what, file, describe(e)), e);
        }
    }

    static byte[] readDocument(Path file, String what) throws CliException {
        return read(file, what, MAX_DOCUMENT_BYTES);
    }

    /** A private key file; {@code warnings} receives a note when the file is readable by others. */
    static SigningKey readKey(Path file, java.util.function.Consumer<String> warnings) throws CliException {
        byte[] bytes = read(file, "private key", MAX_KEY_BYTES);
        if (bytes.length > MAX_KEY_BYTES) {
            throw new CliException("private key '" + file + "' is larger than " + MAX_KEY_BYTES + " bytes: not a key file");
        }
        SigningKey key;
        try {
            key = SigningKey.fromPem(new String(bytes, StandardCharsets.US_ASCII));
        } catch (KeyFormatException e) {
            String hint = e.getMessage().contains("PUBLIC KEY") ? " (this is a public key; pass the ID.key.pem file)"
                    : e.getMessage().contains("ENCRYPTED") ? " (encrypted keys are not supported; export it unencrypted as PKCS#8)" : "";
            throw new CliException("cannot use private key '" + file + "': " + e.getMessage() + hint, e);
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
                warnings.accept("warning: private key '" + file + "' is readable by other users; keep it at mode 0600 "
                        + "(chmod 600 " + file + ")");
            }
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system: nothing to check
        }
        return key;
    }

    /** Parses a DSSE envelope file strictly; a parse failure is an input error naming the reason code. */
    static Envelope readEnvelope(Path file, String what) throws CliException {
        byte[] bytes = readDocument(file, what);
        try {
            return Envelope.parse(bytes, StrictJson.SIGNED.withMaxBytes(MAX_DOCUMENT_BYTES));
        } catch (VerificationException e) {
            throw invalid(file, what, e);
        }
    }

    /** A capsule envelope from either a {@code capsule.dsse.json} or a {@code signed-capsule.json}. */
    static Envelope readCapsuleEnvelope(Path file) throws CliException {
        byte[] bytes = readDocument(file, "capsule");
        try {
            var tree = StrictJson.readTree(bytes, StrictJson.SIGNED.withMaxBytes(MAX_DOCUMENT_BYTES));
            Envelope env = tree.has("schema")
                    ? SignedCapsule.fromTree(tree).capsule()
                    : Envelope.fromTree(tree);
            env.requirePayloadType(dev.airlock.core.dsse.PayloadTypes.CAPSULE);
            return env;
        } catch (VerificationException e) {
            throw invalid(file, "capsule", e);
        }
    }

    /** Binds a document with capsule-core's strict reader (the same the verifiers use). */
    static <T> T parse(byte[] bytes, Class<T> type, Path file, String what) throws CliException {
        try {
            return StrictJson.read(bytes, type, StrictJson.SIGNED.withMaxBytes(MAX_DOCUMENT_BYTES));
        } catch (VerificationException e) {
            throw invalid(file, what, e);
        }
    }

    static CliException invalid(Path file, String what, VerificationException e) {
        return new CliException(String.format(Locale.ROOT, "%s '%s' is not valid: %s: %s", what, file, e.reason(),
                e.detail()), e);
    }

    /**
     * Writes {@code bytes} to {@code file} through a temporary file in the same directory and an atomic rename, so a
     * reader never sees half a document and an interrupted run leaves the old file intact.
     */
    static void write(Path file, byte[] bytes) throws CliException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        try {
            if (Files.isDirectory(target)) {
                throw new CliException("cannot write '" + file + "': it is a directory");
            }
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
            try {
                Files.write(tmp, bytes);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new CliException("cannot write '" + file + "': " + describe(e), e);
        }
    }

    /** A document plus a trailing newline, so {@code cat} shows it nicely; strict readers skip trailing whitespace. */
    static byte[] withNewline(byte[] json) {
        byte[] out = java.util.Arrays.copyOf(json, json.length + 1);
        out[json.length] = '\n';
        return out;
    }

    static String describe(IOException e) {
        if (e instanceof NoSuchFileException n) {
            return "no such file or directory: " + n.getFile();
        }
        if (e instanceof AccessDeniedException a) {
            return "permission denied: " + a.getFile();
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason() + (f.getFile() != null ? ": " + f.getFile() : "");
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
