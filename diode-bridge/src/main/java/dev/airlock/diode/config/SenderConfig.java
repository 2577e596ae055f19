package dev.airlock.diode.config;

import dev.airlock.core.events.Topics;
import dev.airlock.diode.fec.FecParams;
import dev.airlock.diode.wire.WireFormat;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/** Settings of {@code diode-bridge send} and {@code resend} (control side). */
public record SenderConfig(String stream, InetSocketAddress target, long rateBytesPerSec, FecParams fec,
                           List<String> topics, String groupId, Path journalDir, int maxPollRecords,
                           Duration repeatDelay, int socketBufferBytes, Duration heartbeatInterval,
                           Path heartbeatKeyFile, String bridgeId, long maxValueBytes, Properties kafka) {
    public static final long DEFAULT_RATE = 12_500_000L;
    public static final long DEFAULT_MAX_VALUE_BYTES = 4L * 1024 * 1024;

    public SenderConfig {
        WireFormat.streamBytes(stream);
        if (rateBytesPerSec < 1_000) {
            throw new IllegalArgumentException("send.rate-bytes-per-sec must be at least 1000");
        }
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("send.topics is empty");
        }
        for (String t : topics) {
            if (!Topics.CAPSULES_SIGNED.equals(t) && !Topics.POLICY_SIGNED.equals(t)) {
                throw new IllegalArgumentException("send.topics may only name " + Topics.CAPSULES_SIGNED + " and "
                        + Topics.POLICY_SIGNED);
            }
        }
        if (WireFormat.dataDatagramSize(stream, fec.shardSize()) > WireFormat.MAX_DATAGRAM) {
            throw new IllegalArgumentException("fec.shard-size does not fit a UDP datagram");
        }
        if (maxPollRecords < 1 || heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
            throw new IllegalArgumentException("bad send.max-poll-records or heartbeat.interval-ms");
        }
    }

    public static SenderConfig from(Settings s) {
        FecParams d = FecParams.DEFAULT;
        FecParams fec = new FecParams(s.getInt(Keys.FEC_SHARD_SIZE, d.shardSize()),
                s.getInt(Keys.FEC_MAX_DATA_SHARDS, d.maxDataShards()),
                s.getInt(Keys.FEC_OVERHEAD_PERCENT, d.overheadPercent()),
                s.getInt(Keys.FEC_MIN_PARITY, d.minParity()),
                Double.parseDouble(s.get(Keys.FEC_DESIGN_LOSS_PERCENT, String.valueOf(d.designLoss() * 100))) / 100);
        return new SenderConfig(
                s.get(Keys.STREAM, "diode-1"),
                Settings.hostPort(Keys.SEND_TARGET, s.require(Keys.SEND_TARGET)),
                s.getLong(Keys.SEND_RATE, DEFAULT_RATE),
                fec,
                Arrays.stream(s.get(Keys.SEND_TOPICS, Topics.CAPSULES_SIGNED + "," + Topics.POLICY_SIGNED).split(","))
                        .map(String::trim).filter(t -> !t.isEmpty()).toList(),
                s.get(Keys.SEND_GROUP, "airlock-diode-bridge"),
                Path.of(s.require(Keys.SEND_JOURNAL_DIR)),
                s.getInt(Keys.SEND_MAX_POLL_RECORDS, 50),
                Duration.ofMillis(s.getLong(Keys.SEND_REPEAT_DELAY_MS, 0)),
                s.getInt(Keys.SEND_SOCKET_BUFFER, 4 * 1024 * 1024),
                Duration.ofMillis(s.getLong(Keys.HEARTBEAT_INTERVAL_MS, 1000)),
                Path.of(s.require(Keys.HEARTBEAT_KEY_FILE)),
                s.require(Keys.BRIDGE_ID),
                s.getLong(Keys.MAX_VALUE_BYTES, DEFAULT_MAX_VALUE_BYTES),
                s.kafka());
    }
}
