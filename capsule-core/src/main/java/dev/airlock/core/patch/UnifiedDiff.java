package dev.airlock.core.patch;

import dev.airlock.core.scope.RepoPath;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Strict parser for unified diffs as {@code git diff} and {@code diff -u} write them.
 *
 * <p>Accepted, per file: an optional {@code diff --git a/P b/P} header (or a {@code diff …} command line from
 * {@code diff -r}), git's {@code index <hex>..<hex>[ 100644]}, {@code new file mode 100644} and
 * {@code deleted file mode 100644} lines, {@code --- a/P} / {@code +++ b/P} (also without the {@code a/}/{@code b/}
 * prefixes when both sides name the same file, with {@code /dev/null} for a creation or deletion, with git's C-style
 * quoting, and with {@code diff -u}'s tab-separated timestamps), hunks {@code @@ -l,s +l,s @@ optional section} with
 * {@code ' '}/{@code -}/{@code +} lines and {@code \ No newline at end of file}. An empty file's creation or deletion
 * is a git header with no hunks.
 *
 * <p>Refused with {@link ReasonCode#SCOPE_VIOLATION}, because each would change something a manifest of
 * {@code (path, before hash, after hash)} cannot describe or would touch an unexpected file: binary patches, mode
 * changes and any mode other than 100644 (executables, symlinks, submodules), renames and copies, a file patched twice,
 * a path that is not a valid {@link RepoPath}, NUL bytes. Refused with {@link ReasonCode#MALFORMED}: anything else that
 * is not the grammar above, including hunk counts that do not match the lines, hunks out of order or overlapping, line
 * numbers inconsistent across hunks, an empty line where a context line belongs, text before, between or after files
 * and hunks, header lines ending in CR, and a patch that does not end with a newline.
 */
public final class UnifiedDiff {

    static final String DEV_NULL = "/dev/null";
    static final String NO_NEWLINE = "\\ No newline at end of file";
    static final String REGULAR_MODE = "100644";

    private static final Pattern HUNK_HEADER =
            Pattern.compile("@@ -([0-9]{1,9})(?:,([0-9]{1,9}))? \\+([0-9]{1,9})(?:,([0-9]{1,9}))? @@(?: .*)?");
    private static final Pattern INDEX_LINE =
            Pattern.compile("index ([0-9a-f]{7,64})\\.\\.([0-9a-f]{7,64})(?: ([0-9]{6}))?");

    private UnifiedDiff() {
    }

    /** Parses a whole patch; see the class comment for what is accepted. */
    public static Patch parse(String patch) throws VerificationException {
        return new Parser(patch).parse();
    }

    private static final class Parser {
        private final String text;
        private String[] lines;
        private int pos;

        Parser(String text) {
            this.text = text;
        }

        Patch parse() throws VerificationException {
            if (text == null || text.isEmpty()) {
                throw malformed("empty patch");
            }
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == 0) {
                    throw new VerificationException(ReasonCode.SCOPE_VIOLATION,
                            "patch carries binary content (NUL byte)");
                }
                if (Character.isHighSurrogate(c) && i + 1 < text.length()
                        && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                } else if (Character.isSurrogate(c)) {
                    throw malformed("patch contains a lone surrogate (not representable as UTF-8)");
                }
            }
            if (text.charAt(text.length() - 1) != '\n') {
                throw malformed("patch does not end with a newline");
            }
            // the text ends in a newline (above): split all of it and drop the empty last piece, instead of copying
            // all but its last char first
            String[] pieces = text.split("\n", -1);
            lines = Arrays.copyOf(pieces, pieces.length - 1);
            List<FilePatch> files = new ArrayList<>();
            Set<RepoPath> seen = new HashSet<>();
            while (pos < lines.length) {
                String line = lines[pos];
                int start = pos;
                FilePatch file;
                if (line.startsWith("diff --git ")) {
                    file = gitSection();
                } else if (line.startsWith("--- ")) {
                    file = plainSection();
                } else if (line.startsWith("diff ")) {
                    // `diff -r -u old new` echoes its command before each file; it carries nothing we use.
                    pos++;
                    if (pos >= lines.length || !lines[pos].startsWith("--- ")) {
                        refuseKnown(pos < lines.length ? lines[pos] : "");
                        throw malformed(start + 1, "a diff command line is not followed by a --- header");
                    }
                    file = plainSection();
                } else {
                    refuseKnown(line);
                    throw malformed(pos + 1, (files.isEmpty() ? "unexpected text before the first file: "
                            : "unexpected text after the hunks of " + RepoPath.quote(files.get(files.size() - 1)
                                    .path().value()) + ": ") + RepoPath.quote(line));
                }
                if (!seen.add(file.path())) {
                    throw new VerificationException(ReasonCode.SCOPE_VIOLATION, String.format(Locale.ROOT,
                            "patch line %d: %s is patched twice", start + 1, RepoPath.quote(file.path().value())));
                }
                files.add(file);
            }
            return new Patch(files);
        }

        private FilePatch gitSection() throws VerificationException {
            int headerLine = pos + 1;
            String rest = header(pos).substring("diff --git ".length());
            String[] names = gitNames(rest, headerLine);
            String name = stripPair(names[0], names[1]);
            if (name == null) {
                throw new VerificationException(ReasonCode.SCOPE_VIOLATION, String.format(Locale.ROOT,
                        "patch line %d: diff --git names two different files (rename or copy): %s", headerLine,
                        RepoPath.quote(rest)));
            }
            RepoPath path = repoPath(name, headerLine);
            pos++;
            boolean created = false;
            boolean deleted = false;
            boolean index = false;
            while (pos < lines.length) {
                String l = lines[pos];
                if (l.startsWith("--- ") || l.startsWith("@@") || l.startsWith("diff ")) {
                    break;
                }
                refuseKnown(l);
                header(pos);
                if (l.startsWith("new file mode ")) {
                    requireRegularMode(l.substring("new file mode ".length()));
                    if (created || deleted) {
                        throw malformed(pos + 1, "repeated file mode line");
                    }
                    created = true;
                } else if (l.startsWith("deleted file mode ")) {
                    requireRegularMode(l.substring("deleted file mode ".length()));
                    if (created || deleted) {
                        throw malformed(pos + 1, "repeated file mode line");
                    }
                    deleted = true;
                } else if (l.startsWith("index ")) {
                    Matcher m = INDEX_LINE.matcher(l);
                    if (!m.matches() || index) {
                        throw malformed(pos + 1, "bad or repeated index line " + RepoPath.quote(l));
                    }
                    if (m.group(3) != null) {
                        requireRegularMode(m.group(3));
                    }
                    index = true;
                } else {
                    throw malformed(pos + 1, "unexpected line in the git header of " + RepoPath.quote(name) + ": "
                            + RepoPath.quote(l));
                }
                pos++;
            }
            List<Hunk> hunks = List.of();
            if (pos < lines.length && lines[pos].startsWith("--- ")) {
                int fileHeader = pos + 1;
                String[] sides = fileHeaders();
                String expectedOld = created ? null : names[0];
                String expectedNew = deleted ? null : names[1];
                if (!Objects.equals(sides[0], expectedOld) || !Objects.equals(sides[1], expectedNew)) {
                    throw malformed(fileHeader, "---/+++ lines do not match the diff --git header of "
                            + RepoPath.quote(name) + (created || deleted ? " and its file mode line" : ""));
                }
                hunks = hunks(path, created, deleted);
            } else if (pos < lines.length && lines[pos].startsWith("@@")) {
                throw malformed(pos + 1, "hunk without ---/+++ lines for " + RepoPath.quote(name));
            } else if (!created && !deleted) {
                throw malformed(headerLine, "diff --git section for " + RepoPath.quote(name) + " changes nothing");
            }
            return new FilePatch(created ? null : path, deleted ? null : path, hunks);
        }

        private FilePatch plainSection() throws VerificationException {
            int fileHeader = pos + 1;
            String[] sides = fileHeaders();
            String name;
            if (sides[0] == null) {
                name = strip(sides[1], "b/");
            } else if (sides[1] == null) {
                name = strip(sides[0], "a/");
            } else {
                name = stripPair(sides[0], sides[1]);
                if (name == null) {
                    throw new VerificationException(ReasonCode.SCOPE_VIOLATION, String.format(Locale.ROOT,
                            "patch line %d: --- and +++ name different files (rename or copy): %s and %s",
                            fileHeader, RepoPath.quote(sides[0]), RepoPath.quote(sides[1])));
                }
            }
            RepoPath path = repoPath(name, fileHeader);
            List<Hunk> hunks = hunks(path, sides[0] == null, sides[1] == null);
            return new FilePatch(sides[0] == null ? null : path, sides[1] == null ? null : path, hunks);
        }

        /** Reads {@code --- X} and {@code +++ Y}; returns the raw names, null for /dev/null. */
        private String[] fileHeaders() throws VerificationException {
            String oldName = headerName(header(pos).substring(4), pos + 1);
            pos++;
            if (pos >= lines.length || !lines[pos].startsWith("+++ ")) {
                throw malformed(pos, "--- line is not followed by a +++ line");
            }
            String newName = headerName(header(pos).substring(4), pos + 1);
            pos++;
            if (oldName == null && newName == null) {
                throw malformed(pos - 1, "both sides are /dev/null");
            }
            return new String[] {oldName, newName};
        }

        private String headerName(String s, int lineNo) throws VerificationException {
            String name;
            if (s.startsWith("\"")) {
                GitQuoting.Unquoted u = GitQuoting.unquote(s, 0);
                if (u == null || (u.end() < s.length() && s.charAt(u.end()) != '\t')) {
                    throw malformed(lineNo, "bad quoted file name " + RepoPath.quote(s));
                }
                name = u.value();
            } else {
                int tab = s.indexOf('\t');
                // diff -u appends "\t<timestamp>"; git appends "\t" to names containing a space.
                name = tab >= 0 ? s.substring(0, tab) : s;
            }
            if (name.isEmpty()) {
                throw malformed(lineNo, "missing file name");
            }
            return name.equals(DEV_NULL) ? null : name;
        }

        private List<Hunk> hunks(RepoPath path, boolean creation, boolean deletion) throws VerificationException {
            List<Hunk> hunks = new ArrayList<>();
            int first = pos + 1;
            while (pos < lines.length && lines[pos].startsWith("@@")) {
                hunks.add(hunk());
            }
            if (hunks.isEmpty()) {
                throw malformed(first, "no hunks for " + RepoPath.quote(path.value()));
            }
            String p = RepoPath.quote(path.value());
            int delta = 0;
            int previousEnd = -1;
            for (int i = 0; i < hunks.size(); i++) {
                Hunk h = hunks.get(i);
                if (h.oldPosition() <= previousEnd) {
                    throw malformed(first, "hunks of " + p + " overlap or are out of order");
                }
                if (h.newPosition() != h.oldPosition() + delta) {
                    throw malformed(first, String.format(Locale.ROOT,
                            "hunk %s of %s: its + line number does not follow from the hunks before it", h.header(),
                            p));
                }
                if (i < hunks.size() - 1 && h.lines().stream().anyMatch(Hunk.Line::noNewlineAtEnd)) {
                    throw malformed(first, "'\\ No newline at end of file' before the last hunk of " + p);
                }
                previousEnd = h.oldPosition() + h.oldCount();
                delta += h.newCount() - h.oldCount();
            }
            if (creation && (hunks.size() != 1 || hunks.get(0).oldCount() != 0 || hunks.get(0).oldStart() != 0)) {
                throw malformed(first, "creation of " + p + " must be one hunk @@ -0,0 +1,n @@");
            }
            if (deletion && (hunks.size() != 1 || hunks.get(0).newCount() != 0 || hunks.get(0).newStart() != 0
                    || hunks.get(0).oldStart() != 1)) {
                throw malformed(first, "deletion of " + p + " must be one hunk @@ -1,n +0,0 @@");
            }
            return hunks;
        }

        private Hunk hunk() throws VerificationException {
            int headerLine = pos + 1;
            Matcher m = HUNK_HEADER.matcher(header(pos));
            if (!m.matches()) {
                throw malformed(headerLine, "bad hunk header " + RepoPath.quote(lines[pos]));
            }
            int oldStart = Integer.parseInt(m.group(1));
            int oldCount = m.group(2) == null ? 1 : Integer.parseInt(m.group(2));
            int newStart = Integer.parseInt(m.group(3));
            int newCount = m.group(4) == null ? 1 : Integer.parseInt(m.group(4));
            pos++;
            List<Hunk.Line> body = new ArrayList<>();
            int remainingOld = oldCount;
            int remainingNew = newCount;
            while (remainingOld > 0 || remainingNew > 0) {
                if (pos >= lines.length) {
                    throw malformed(headerLine, "hunk ends before the line counts in its header are reached");
                }
                String l = lines[pos];
                char kind = l.isEmpty() ? 0 : l.charAt(0);
                if (kind == ' ' && remainingOld > 0 && remainingNew > 0) {
                    body.add(new Hunk.Line(Hunk.Kind.CONTEXT, l.substring(1), false));
                    remainingOld--;
                    remainingNew--;
                } else if (kind == '-' && remainingOld > 0) {
                    body.add(new Hunk.Line(Hunk.Kind.REMOVE, l.substring(1), false));
                    remainingOld--;
                } else if (kind == '+' && remainingNew > 0) {
                    body.add(new Hunk.Line(Hunk.Kind.ADD, l.substring(1), false));
                    remainingNew--;
                } else if (kind == '\\') {
                    markNoNewline(body, l);
                } else if (l.isEmpty()) {
                    throw malformed(pos + 1, "empty line inside a hunk (a context line keeps its leading space)");
                } else {
                    throw malformed(pos + 1, "hunk lines do not match the counts in its header " + RepoPath.quote(
                            lines[headerLine - 1]));
                }
                pos++;
            }
            if (pos < lines.length && lines[pos].startsWith("\\")) {
                markNoNewline(body, lines[pos]);
                pos++;
            }
            checkNoNewlineMarkers(body, headerLine);
            if (body.stream().allMatch(l -> l.kind() == Hunk.Kind.CONTEXT)) {
                throw malformed(headerLine, "hunk changes nothing");
            }
            try {
                return new Hunk(oldStart, oldCount, newStart, newCount, body);
            } catch (IllegalArgumentException e) {
                throw malformed(headerLine, "bad hunk header " + RepoPath.quote(lines[headerLine - 1]) + ": "
                        + e.getMessage());
            }
        }

        private void markNoNewline(List<Hunk.Line> body, String marker) throws VerificationException {
            if (!marker.equals(NO_NEWLINE)) {
                throw malformed(pos + 1, "unexpected line " + RepoPath.quote(marker));
            }
            if (body.isEmpty() || body.get(body.size() - 1).noNewlineAtEnd()) {
                throw malformed(pos + 1, "'\\ No newline at end of file' does not follow a hunk line");
            }
            Hunk.Line last = body.remove(body.size() - 1);
            body.add(new Hunk.Line(last.kind(), last.text(), true));
        }

        /** A line without newline is the last line of its side(s): nothing of that side may follow it. */
        private void checkNoNewlineMarkers(List<Hunk.Line> body, int headerLine) throws VerificationException {
            for (int i = 0; i < body.size(); i++) {
                Hunk.Line marked = body.get(i);
                if (!marked.noNewlineAtEnd()) {
                    continue;
                }
                for (int j = i + 1; j < body.size(); j++) {
                    Hunk.Line later = body.get(j);
                    if ((marked.onOldSide() && later.onOldSide()) || (marked.onNewSide() && later.onNewSide())) {
                        throw malformed(headerLine, "'\\ No newline at end of file' marks a line that is not the "
                                + "last of its side");
                    }
                }
            }
        }

        private String[] gitNames(String rest, int lineNo) throws VerificationException {
            if (rest.startsWith("\"")) {
                GitQuoting.Unquoted a = GitQuoting.unquote(rest, 0);
                if (a == null || a.end() >= rest.length() || rest.charAt(a.end()) != ' ') {
                    throw malformed(lineNo, "bad quoted name in diff --git header");
                }
                return new String[] {a.value(), gitSecondName(rest.substring(a.end() + 1), lineNo)};
            }
            int quoted = rest.indexOf(" \"");
            if (quoted >= 0 && rest.endsWith("\"")) {
                return new String[] {rest.substring(0, quoted), gitSecondName(rest.substring(quoted + 1), lineNo)};
            }
            int len = rest.length();
            if (rest.indexOf(' ') < 0) {
                throw malformed(lineNo, "diff --git header needs two names");
            }
            if (len % 2 == 0 || rest.charAt(len / 2) != ' ') {
                // Both names have the same length whenever they name the same file; they do not here.
                throw new VerificationException(ReasonCode.SCOPE_VIOLATION, String.format(Locale.ROOT,
                        "patch line %d: diff --git names two different files (rename or copy): %s", lineNo,
                        RepoPath.quote(rest)));
            }
            return new String[] {rest.substring(0, len / 2), rest.substring(len / 2 + 1)};
        }

        private String gitSecondName(String s, int lineNo) throws VerificationException {
            if (!s.startsWith("\"")) {
                return s;
            }
            GitQuoting.Unquoted b = GitQuoting.unquote(s, 0);
            if (b == null || b.end() != s.length()) {
                throw malformed(lineNo, "bad quoted name in diff --git header");
            }
            return b.value();
        }

        /** The header line at {@code index}; header lines never end in CR (only hunk content may). */
        private String header(int index) throws VerificationException {
            String l = lines[index];
            if (l.endsWith("\r")) {
                throw malformed(index + 1, "header line ends with CR (CRLF line endings outside hunk content)");
            }
            return l;
        }

        private RepoPath repoPath(String name, int lineNo) throws VerificationException {
            try {
                return RepoPath.of(name);
            } catch (VerificationException e) {
                throw new VerificationException(e.reason(), "patch line " + lineNo + ": " + e.detail());
            }
        }

        /** Throws for git constructs a manifest cannot describe, wherever they appear. */
        private void refuseKnown(String l) throws VerificationException {
            String what = null;
            if ((l.startsWith("Binary files ") && l.endsWith(" differ")) || l.equals("GIT binary patch")) {
                what = "binary patch";
            } else if (l.startsWith("old mode ") || l.startsWith("new mode ")) {
                what = "file mode change";
            } else if (l.startsWith("rename from ") || l.startsWith("rename to ") || l.startsWith("copy from ")
                    || l.startsWith("copy to ") || l.startsWith("similarity index ")
                    || l.startsWith("dissimilarity index ")) {
                what = "rename or copy";
            }
            if (what != null) {
                throw new VerificationException(ReasonCode.SCOPE_VIOLATION, String.format(Locale.ROOT,
                        "patch line %d: %s is not allowed: %s", pos + 1, what, RepoPath.quote(l)));
            }
        }

        private void requireRegularMode(String mode) throws VerificationException {
            if (mode.equals(REGULAR_MODE)) {
                return;
            }
            String what = switch (mode) {
                case "100755" -> "executable file mode 100755";
                case "120000" -> "symlink mode 120000";
                case "160000" -> "submodule (gitlink) mode 160000";
                case "040000" -> "directory mode 040000";
                default -> "file mode " + RepoPath.quote(mode);
            };
            throw new VerificationException(ReasonCode.SCOPE_VIOLATION, String.format(Locale.ROOT,
                    "patch line %d: %s is not allowed (only 100644)", pos + 1, what));
        }

        private static String stripPair(String a, String b) {
            if (a.startsWith("a/") && b.startsWith("b/") && a.substring(2).equals(b.substring(2))) {
                return a.substring(2);
            }
            return a.equals(b) ? a : null;
        }

        private static String strip(String name, String prefix) {
            return name.startsWith(prefix) ? name.substring(prefix.length()) : name;
        }

        private static VerificationException malformed(String detail) {
            return new VerificationException(ReasonCode.MALFORMED, detail);
        }

        private static VerificationException malformed(int lineNo, String detail) {
            return new VerificationException(ReasonCode.MALFORMED, "patch line " + lineNo + ": " + detail);
        }
    }
}
