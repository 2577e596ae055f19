package dev.airlock.diode.config;

import java.util.List;

/** Setting names (README "Configuration"). */
public final class Keys {
    private Keys() {
    }

    public static final String STREAM = "stream";
    public static final String MAX_VALUE_BYTES = "max-value-bytes";

    public static final String SEND_TARGET = "send.target";
    public static final String SEND_RATE = "send.rate-bytes-per-sec";
    public static final String SEND_TOPICS = "send.topics";
    public static final String SEND_GROUP = "send.group-id";
    public static final String SEND_JOURNAL_DIR = "send.journal-dir";
    public static final String SEND_MAX_POLL_RECORDS = "send.max-poll-records";
    public static final String SEND_REPEAT_DELAY_MS = "send.repeat-delay-ms";
    public static final String SEND_SOCKET_BUFFER = "send.socket-buffer-bytes";
    public static final String FEC_SHARD_SIZE = "fec.shard-size";
    public static final String FEC_MAX_DATA_SHARDS = "fec.max-data-shards";
    public static final String FEC_OVERHEAD_PERCENT = "fec.overhead-percent";
    public static final String FEC_MIN_PARITY = "fec.min-parity";
    public static final String FEC_DESIGN_LOSS_PERCENT = "fec.design-loss-percent";
    public static final String HEARTBEAT_INTERVAL_MS = "heartbeat.interval-ms";
    public static final String HEARTBEAT_KEY_FILE = "heartbeat.key-file";
    public static final String BRIDGE_ID = "bridge.id";

    public static final String RECEIVE_LISTEN = "receive.listen";
    public static final String RECEIVE_STATE_DIR = "receive.state-dir";
    public static final String RECEIVE_RESEND_DIR = "receive.resend-dir";
    public static final String RECEIVE_GAP_WINDOW_MS = "receive.gap-window-ms";
    public static final String RECEIVE_REASSEMBLY_TIMEOUT_MS = "receive.reassembly-timeout-ms";
    public static final String RECEIVE_HEALTH_INTERVAL_MS = "receive.health-interval-ms";
    public static final String RECEIVE_SOCKET_BUFFER = "receive.socket-buffer-bytes";
    public static final String RECEIVE_MAX_PENDING_BYTES = "receive.max-pending-bytes";
    public static final String RECEIVE_QUEUE_DATAGRAMS = "receive.queue-datagrams";
    public static final String RECEIVE_DEDUP_SCAN = "receive.dedup-scan-records";
    public static final String RECEIVE_ID = "receive.id";

    static final List<String> ALL = List.of(STREAM, MAX_VALUE_BYTES, SEND_TARGET, SEND_RATE, SEND_TOPICS, SEND_GROUP,
            SEND_JOURNAL_DIR, SEND_MAX_POLL_RECORDS, SEND_REPEAT_DELAY_MS, SEND_SOCKET_BUFFER, FEC_SHARD_SIZE,
            FEC_MAX_DATA_SHARDS, FEC_OVERHEAD_PERCENT, FEC_MIN_PARITY, FEC_DESIGN_LOSS_PERCENT, HEARTBEAT_INTERVAL_MS, HEARTBEAT_KEY_FILE,
            BRIDGE_ID, RECEIVE_LISTEN, RECEIVE_STATE_DIR, RECEIVE_RESEND_DIR, RECEIVE_GAP_WINDOW_MS,
            RECEIVE_REASSEMBLY_TIMEOUT_MS, RECEIVE_HEALTH_INTERVAL_MS, RECEIVE_SOCKET_BUFFER,
            RECEIVE_MAX_PENDING_BYTES, RECEIVE_QUEUE_DATAGRAMS, RECEIVE_DEDUP_SCAN, RECEIVE_ID);
}
