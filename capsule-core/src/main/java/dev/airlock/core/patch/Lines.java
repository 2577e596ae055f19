package dev.airlock.core.patch;

/**
 * A byte array split after each {@code \n}: line {@code i} is {@code [start(i), end(i))} without its newline, and
 * only the last line may lack one. An empty array has no lines. CR stays part of a line, so CRLF files keep their
 * line endings through any patch.
 */
final class Lines {
    private final byte[] bytes;
    private final int[] starts;
    private final int count;
    private final boolean lastHasNewline;

    Lines(byte[] bytes) {
        this.bytes = bytes;
        int n = 0;
        for (byte b : bytes) {
            if (b == '\n') {
                n++;
            }
        }
        lastHasNewline = bytes.length == 0 || bytes[bytes.length - 1] == '\n';
        count = lastHasNewline ? n : n + 1;
        starts = new int[count + 1];
        int line = 0;
        starts[0] = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                starts[++line] = i + 1;
            }
        }
        starts[count] = bytes.length + (lastHasNewline ? 0 : 1);
    }

    int count() {
        return count;
    }

    int start(int i) {
        return starts[i];
    }

    /** End of line {@code i}'s content (exclusive), before its newline if it has one. */
    int end(int i) {
        return starts[i + 1] - 1;
    }

    boolean hasNewline(int i) {
        return i < count - 1 || lastHasNewline;
    }

    boolean contentEquals(int i, byte[] other) {
        return java.util.Arrays.equals(bytes, start(i), end(i), other, 0, other.length);
    }

    byte[] bytes() {
        return bytes;
    }
}
