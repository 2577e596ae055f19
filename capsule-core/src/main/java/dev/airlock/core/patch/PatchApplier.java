package dev.airlock.core.patch;

import dev.airlock.core.scope.RepoPath;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/**
 * Applies one {@link FilePatch} exactly (ARCHITECTURE §7 step 2): every hunk must sit at exactly the line its header
 * states, with every context and removed line byte-identical, including its line ending and whether it ends in a
 * newline. There is no fuzz, no search for a nearby offset, no whitespace leniency and no line-ending conversion; CRLF
 * and LF files and a missing final newline are preserved as they are.
 *
 * <p>Any mismatch is {@link ReasonCode#SCOPE_VIOLATION} "patch does not apply to P at line N"; the runner reports it
 * as drift. Nothing is partially applied: the result is returned only when every hunk applied.
 */
public final class PatchApplier {

    private static final byte[] NEWLINE = {'\n'};

    private PatchApplier() {
    }

    /**
     * Returns the patched bytes, or null for a deletion.
     *
     * @param original the current file, or null when it does not exist (required for a creation, refused otherwise)
     */
    public static byte[] apply(byte[] original, FilePatch patch) throws VerificationException {
        Objects.requireNonNull(patch, "patch");
        RepoPath path = patch.path();
        if (patch.isCreation() && original != null) {
            throw refuse(path, "the patch creates it but it already exists");
        }
        if (!patch.isCreation() && original == null) {
            throw refuse(path, "the patch " + (patch.isDeletion() ? "deletes" : "modifies") + " it but it does not "
                    + "exist");
        }
        Lines lines = new Lines(original == null ? new byte[0] : original);
        ByteArrayOutputStream out = new ByteArrayOutputStream(original == null ? 256 : original.length + 256);
        int cursor = 0;
        boolean resultEnded = false; // the last line written has no newline: nothing may follow it
        for (Hunk hunk : patch.hunks()) {
            int at = hunk.oldPosition();
            if (at < cursor) {
                throw new IllegalStateException("hunks out of order; UnifiedDiff.parse refuses these");
            }
            if (at + hunk.oldCount() > lines.count()) {
                throw doesNotApply(path, Math.min(at, lines.count()) + 1, "the hunk " + hunk.header()
                        + " reaches past the end of the file (" + lines.count() + " lines)");
            }
            copy(lines, cursor, at, out);
            int line = at;
            for (Hunk.Line hl : hunk.lines()) {
                byte[] text = hl.text().getBytes(StandardCharsets.UTF_8);
                if (hl.onOldSide()) {
                    if (!lines.contentEquals(line, text)) {
                        throw doesNotApply(path, line + 1, "the file differs from the patch's "
                                + (hl.kind() == Hunk.Kind.CONTEXT ? "context" : "removed") + " line");
                    }
                    if (lines.hasNewline(line) == hl.noNewlineAtEnd()) {
                        throw doesNotApply(path, line + 1, lines.hasNewline(line)
                                ? "the patch expects no newline at the end of the file"
                                : "the file has no newline at its end");
                    }
                    line++;
                }
                if (hl.onNewSide()) {
                    out.writeBytes(text);
                    if (!hl.noNewlineAtEnd()) {
                        out.writeBytes(NEWLINE);
                    } else {
                        resultEnded = true;
                    }
                }
            }
            cursor = line;
        }
        if (resultEnded && cursor < lines.count()) {
            throw doesNotApply(path, cursor + 1, "the patch ends the file without a newline but the file continues");
        }
        copy(lines, cursor, lines.count(), out);
        if (patch.isDeletion()) {
            if (out.size() != 0 || cursor != lines.count()) {
                throw doesNotApply(path, cursor + 1, "the deletion does not remove the whole file");
            }
            return null;
        }
        return out.toByteArray();
    }

    private static void copy(Lines lines, int from, int to, ByteArrayOutputStream out) {
        if (from < to) {
            int start = lines.start(from);
            int end = lines.hasNewline(to - 1) ? lines.end(to - 1) + 1 : lines.end(to - 1);
            out.write(lines.bytes(), start, end - start);
        }
    }

    private static VerificationException refuse(RepoPath path, String why) {
        return new VerificationException(ReasonCode.SCOPE_VIOLATION,
                "patch does not apply to " + path.value() + ": " + why);
    }

    private static VerificationException doesNotApply(RepoPath path, int line, String why) {
        return new VerificationException(ReasonCode.SCOPE_VIOLATION, String.format(Locale.ROOT,
                "patch does not apply to %s at line %d: %s", path.value(), line, why));
    }
}
