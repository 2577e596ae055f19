package dev.airlock.diode.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

/** Settings of {@code diode-bridge receive} (enclave side). */
public record ReceiverConfig(String receiverId, InetSocketAddress listen, Path stateDir, Path resendDir,
                             Duration gapWindow, Duration reassemblyTimeout, Duration healthInterval,
                             int socketBufferBytes, long maxPendingBytes, int queueDatagrams, int dedupScanRecords,
                             long maxValueBytes, Properties kafka) {
    public ReceiverConfig {
        if (gapWindow.isNegative() || gapWindow.isZero() || reassemblyTimeout.compareTo(gapWindow) < 0) {
            throw new IllegalArgumentException("receive.gap-window-ms must be > 0 and <= receive.reassembly-timeout-ms");
        }
        if (dedupScanRecords < 2048) {
            // must exceed what can be acknowledged but not yet persisted: 1024 in flight + 256 per persist
            throw new IllegalArgumentException("receive.dedup-scan-records must be at least 2048");
        }
        if (queueDatagrams < 16 || maxPendingBytes < maxValueBytes * 2) {
            throw new IllegalArgumentException("receive.queue-datagrams or receive.max-pending-bytes too small");
        }
    }

    public static ReceiverConfig from(Settings s) {
        Path state = Path.of(s.require(Keys.RECEIVE_STATE_DIR));
        return new ReceiverConfig(
                s.get(Keys.RECEIVE_ID, "diode-receiver"),
                Settings.hostPort(Keys.RECEIVE_LISTEN, s.require(Keys.RECEIVE_LISTEN)),
                state,
                s.path(Keys.RECEIVE_RESEND_DIR, state.resolve("resend-requests")),
                Duration.ofMillis(s.getLong(Keys.RECEIVE_GAP_WINDOW_MS, 2000)),
                Duration.ofMillis(s.getLong(Keys.RECEIVE_REASSEMBLY_TIMEOUT_MS, 30_000)),
                Duration.ofMillis(s.getLong(Keys.RECEIVE_HEALTH_INTERVAL_MS, 5000)),
                s.getInt(Keys.RECEIVE_SOCKET_BUFFER, 8 * 1024 * 1024),
                s.getLong(Keys.RECEIVE_MAX_PENDING_BYTES, 256L * 1024 * 1024),
                s.getInt(Keys.RECEIVE_QUEUE_DATAGRAMS, 65_536),
                s.getInt(Keys.RECEIVE_DEDUP_SCAN, 4096),
                s.getLong(Keys.MAX_VALUE_BYTES, SenderConfig.DEFAULT_MAX_VALUE_BYTES),
                s.kafka());
    }
}
