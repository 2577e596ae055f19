package dev.airlock.core.patch;

import dev.airlock.core.scope.RepoPath;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a git-style unified diff for one file that {@link UnifiedDiff#parse} and {@link PatchApplier#apply} turn back
 * into exactly {@code after} (and that {@code git apply} accepts). The planner's fleets use it to build
 * {@code change.patch}; several files' diffs concatenate into one multi-file patch.
 *
 * <p>Output: {@code diff --git a/P b/P}, {@code new file mode 100644} / {@code deleted file mode 100644} for a creation
 * or deletion, {@code --- a/P} / {@code +++ b/P} (or {@code /dev/null}), then hunks with {@code context} lines of
 * context, merged when their contexts touch, as git does. Names are quoted the way git quotes them. Only text can be
 * expressed: content that is not UTF-8 or contains NUL is refused ({@link ReasonCode#SCOPE_VIOLATION}, like a binary
 * patch).
 */
public final class DiffWriter {

    private DiffWriter() {
    }

    /**
     * Returns the diff from {@code before} to {@code after}, or {@code ""} when they are identical.
     *
     * @param before the current content, or null when the file is created
     * @param after the new content, or null when the file is deleted
     * @param context lines of context around each change (git's default is 3)
     */
    public static String unifiedDiff(RepoPath path, byte[] before, byte[] after, int context)
            throws VerificationException {
        Objects.requireNonNull(path, "path");
        if (before == null && after == null) {
            throw new IllegalArgumentException("a diff needs a before or an after");
        }
        if (context < 0) {
            throw new IllegalArgumentException("context cannot be negative");
        }
        if (before != null && after != null && java.util.Arrays.equals(before, after)) {
            return "";
        }
        List<String> a = before == null ? List.of() : textLines(path, before);
        List<String> b = after == null ? List.of() : textLines(path, after);

        Map<String, Integer> ids = new HashMap<>();
        int[] aIds = a.stream().mapToInt(l -> ids.computeIfAbsent(l, k -> ids.size())).toArray();
        int[] bIds = b.stream().mapToInt(l -> ids.computeIfAbsent(l, k -> ids.size())).toArray();
        List<int[]> blocks = changeBlocks(LineDiff.matches(aIds, bIds), a.size(), b.size());

        String oldName = GitQuoting.quote("a/" + path.value());
        String newName = GitQuoting.quote("b/" + path.value());
        String tab = path.value().indexOf(' ') >= 0 ? "\t" : ""; // as git: keeps GNU patch from cutting at the space
        StringBuilder out = new StringBuilder();
        out.append("diff --git ").append(oldName).append(' ').append(newName).append('\n');
        if (before == null) {
            out.append("new file mode ").append(UnifiedDiff.REGULAR_MODE).append('\n');
        } else if (after == null) {
            out.append("deleted file mode ").append(UnifiedDiff.REGULAR_MODE).append('\n');
        }
        if (blocks.isEmpty()) {
            return out.toString(); // creation or deletion of an empty file: git writes no ---/+++ either
        }
        out.append("--- ").append(before == null ? UnifiedDiff.DEV_NULL : oldName + tab).append('\n');
        out.append("+++ ").append(after == null ? UnifiedDiff.DEV_NULL : newName + tab).append('\n');

        int g = 0;
        while (g < blocks.size()) {
            int last = g;
            while (last + 1 < blocks.size() && blocks.get(last + 1)[0] - blocks.get(last)[1] <= 2 * context) {
                last++;
            }
            int[] first = blocks.get(g);
            int[] end = blocks.get(last);
            int oldFrom = Math.max(0, first[0] - context);
            int oldTo = Math.min(a.size(), end[1] + context);
            int newFrom = first[2] - (first[0] - oldFrom);
            int newTo = end[3] + (oldTo - end[1]);
            out.append(Hunk.header(start(oldFrom, oldTo - oldFrom), oldTo - oldFrom, start(newFrom, newTo - newFrom),
                    newTo - newFrom)).append('\n');
            int cursor = oldFrom;
            for (int k = g; k <= last; k++) {
                int[] block = blocks.get(k);
                emit(out, ' ', a, cursor, block[0]);
                emit(out, '-', a, block[0], block[1]);
                emit(out, '+', b, block[2], block[3]);
                cursor = block[1];
            }
            emit(out, ' ', a, cursor, oldTo);
            g = last + 1;
        }
        return out.toString();
    }

    private static int start(int from, int count) {
        return count > 0 ? from + 1 : from;
    }

    /** Maximal runs of non-matching lines: {@code {oldFrom, oldTo, newFrom, newTo}}. */
    private static List<int[]> changeBlocks(List<int[]> matches, int n, int m) {
        List<int[]> blocks = new ArrayList<>();
        int i = 0;
        int j = 0;
        for (int k = 0; k <= matches.size(); k++) {
            int mi = k < matches.size() ? matches.get(k)[0] : n;
            int mj = k < matches.size() ? matches.get(k)[1] : m;
            if (mi > i || mj > j) {
                blocks.add(new int[] {i, mi, j, mj});
            }
            i = mi + 1;
            j = mj + 1;
        }
        return blocks;
    }

    private static void emit(StringBuilder out, char marker, List<String> lines, int from, int to) {
        for (int k = from; k < to; k++) {
            String line = lines.get(k);
            if (line.endsWith("\n")) {
                out.append(marker).append(line);
            } else {
                out.append(marker).append(line).append('\n').append(UnifiedDiff.NO_NEWLINE).append('\n');
            }
        }
    }

    /** The file's lines, each with its {@code \n} if it has one. */
    private static List<String> textLines(RepoPath path, byte[] content) throws VerificationException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(content))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new VerificationException(ReasonCode.SCOPE_VIOLATION,
                    "cannot write a text patch for " + path.value() + ": it is not UTF-8 text");
        }
        if (text.indexOf('\0') >= 0) {
            throw new VerificationException(ReasonCode.SCOPE_VIOLATION,
                    "cannot write a text patch for " + path.value() + ": it is binary (NUL byte)");
        }
        List<String> lines = new ArrayList<>();
        int from = 0;
        while (from < text.length()) {
            int nl = text.indexOf('\n', from);
            int to = nl < 0 ? text.length() : nl + 1;
            lines.add(text.substring(from, to));
            from = to;
        }
        return lines;
    }
}
