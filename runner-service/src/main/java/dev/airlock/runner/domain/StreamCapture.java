package dev.airlock.runner.domain;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Drains one output stream of a validation process: keeps the first {@code cap} bytes, hashes and counts all of them
 * (ARCHITECTURE §7 step 3: "output capped (and kept with its hash)"). Draining never stops, so a chatty process is never
 * blocked on a full pipe.
 */
final class StreamCapture implements Runnable {

    private final InputStream in;
    private final int cap;
    private final ByteArrayOutputStream kept;
    private final MessageDigest digest;
    private long total;
    private final Thread thread;

    StreamCapture(String name, InputStream in, int cap) {
        this.in = in;
        this.cap = cap;
        this.kept = new ByteArrayOutputStream(Math.min(cap, 8192));
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        this.thread = new Thread(this, name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Waits for the end of the stream; false when it did not end in time (a process outside our reach holds it). */
    boolean join(long millis) throws InterruptedException {
        thread.join(millis);
        return !thread.isAlive();
    }

    @Override
    public void run() {
        byte[] buf = new byte[8192];
        try (InputStream stream = in) {
            int n;
            while ((n = stream.read(buf)) >= 0) {
                synchronized (this) {
                    digest.update(buf, 0, n);
                    total += n;
                    int room = cap - kept.size();
                    if (room > 0) {
                        kept.write(buf, 0, Math.min(room, n));
                    }
                }
            }
        } catch (IOException e) {
            // the pipe was closed under us: what was read is what there is
        }
    }

    synchronized String text() {
        return kept.toString(StandardCharsets.UTF_8);
    }

    synchronized long total() {
        return total;
    }

    /** {@code sha256:<hex>} of everything read; call after {@link #join(long)}. */
    synchronized String sha256() {
        try {
            MessageDigest copy = (MessageDigest) digest.clone();
            return "sha256:" + HexFormat.of().formatHex(copy.digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }
}
