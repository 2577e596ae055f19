package dev.airlock.core.patch;

import java.util.List;
import java.util.Objects;

/**
 * One {@code @@ -oldStart,oldCount +newStart,newCount @@} block. Line numbers are as written in the header (1-based;
 * when a side's count is 0 its start names the line <em>after which</em> the hunk sits, as in diff and git).
 */
public record Hunk(int oldStart, int oldCount, int newStart, int newCount, List<Line> lines) {

    /** What a hunk line does. */
    public enum Kind {
        /** {@code ' '}: present on both sides, must match exactly. */
        CONTEXT,
        /** {@code '-'}: present in the original only, must match exactly. */
        REMOVE,
        /** {@code '+'}: present in the result only. */
        ADD
    }

    /**
     * A hunk line without its marker and without its {@code \n}; a {@code \r} of a CRLF file stays part of the text.
     * {@code noNewlineAtEnd} records a following {@code \ No newline at end of file}.
     */
    public record Line(Kind kind, String text, boolean noNewlineAtEnd) {
        public Line {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(text, "text");
            if (text.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("a hunk line cannot contain a newline");
            }
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (Character.isHighSurrogate(c) && i + 1 < text.length()
                        && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                } else if (Character.isSurrogate(c)) {
                    // UTF-8 encoding would silently turn it into '?', which could then match the file.
                    throw new IllegalArgumentException("a hunk line cannot contain a lone surrogate");
                }
            }
        }

        boolean onOldSide() {
            return kind != Kind.ADD;
        }

        boolean onNewSide() {
            return kind != Kind.REMOVE;
        }
    }

    public Hunk {
        lines = List.copyOf(lines);
        if (oldStart < 0 || oldCount < 0 || newStart < 0 || newCount < 0) {
            throw new IllegalArgumentException("hunk line numbers and counts cannot be negative");
        }
        if ((oldCount > 0 && oldStart == 0) || (newCount > 0 && newStart == 0)) {
            throw new IllegalArgumentException("a non-empty hunk side starts at line 1 or later");
        }
        long old = lines.stream().filter(Line::onOldSide).count();
        long neu = lines.stream().filter(Line::onNewSide).count();
        if (old != oldCount || neu != newCount) {
            throw new IllegalArgumentException("hunk counts do not match its lines");
        }
    }

    /** 0-based index of the first original line this hunk covers (or inserts before). */
    public int oldPosition() {
        return oldCount > 0 ? oldStart - 1 : oldStart;
    }

    /** 0-based index of the first result line this hunk covers (or inserts before). */
    public int newPosition() {
        return newCount > 0 ? newStart - 1 : newStart;
    }

    /** The header line as diff writes it ({@code ,1} counts omitted). */
    public String header() {
        return header(oldStart, oldCount, newStart, newCount);
    }

    static String header(int oldStart, int oldCount, int newStart, int newCount) {
        return "@@ -" + range(oldStart, oldCount) + " +" + range(newStart, newCount) + " @@";
    }

    private static String range(int start, int count) {
        return count == 1 ? Integer.toString(start) : start + "," + count;
    }
}
