package dev.airlock.core.json;

import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;

import java.io.Writer;

/**
 * The lone-surrogate rule of {@link StrictJson#validate} (a string must be Unicode scalar values: every high surrogate
 * followed by a low one, no low one without a high one before it), applied to text that arrives in chunks.
 * {@link com.fasterxml.jackson.core.JsonParser#getText(Writer)} hands a long string over one Jackson segment (up to 64K
 * chars) at a time, so a pair may straddle two chunks: the state carries over between writes.
 */
final class ScalarValueCheck extends Writer {
    private boolean highPending;
    private boolean lone;

    ScalarValueCheck reset() {
        highPending = false;
        lone = false;
        return this;
    }

    @Override
    public void write(char[] buf, int off, int len) {
        for (int i = off, end = off + len; i < end && !lone; i++) {
            accept(buf[i]);
        }
    }

    @Override
    public void write(String str) {
        write(str, 0, str.length());
    }

    @Override
    public void write(String str, int off, int len) {
        for (int i = off, end = off + len; i < end && !lone; i++) {
            accept(str.charAt(i));
        }
    }

    @Override
    public void write(int c) {
        if (!lone) {
            accept((char) c);
        }
    }

    private void accept(char c) {
        if (highPending) {
            highPending = false;
            lone = !Character.isLowSurrogate(c);
        } else if (Character.isHighSurrogate(c)) {
            highPending = true;
        } else if (Character.isLowSurrogate(c)) {
            lone = true;
        }
    }

    void requireScalarValues() throws VerificationException {
        if (lone || highPending) {
            throw new VerificationException(ReasonCode.MALFORMED, "lone surrogate in a string");
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
