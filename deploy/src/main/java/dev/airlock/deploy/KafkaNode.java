package dev.airlock.deploy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * One single-node KRaft Kafka broker (broker + controller in one process) from the {@code kafka_2.13} Maven artifact:
 * the local stack runs two of them, one per plane, as separate processes. Formats its log directory on first start
 * and reuses it afterwards ({@code airlock up} again keeps the data).
 *
 * <pre>java -cp deploy/target/lib/*:deploy/target/deploy.jar dev.airlock.deploy.KafkaNode DIR PORT CONTROLLER_PORT</pre>
 */
public final class KafkaNode {
    private KafkaNode() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: KafkaNode DIR PORT CONTROLLER_PORT");
            System.exit(2);
        }
        Path dir = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        int controllerPort = Integer.parseInt(args[2]);
        Path props = writeConfig(dir, port, controllerPort);
        formatIfNeeded(dir, props);
        kafka.Kafka.main(new String[] {props.toString()});
    }

    static Path writeConfig(Path dir, int port, int controllerPort) throws IOException {
        Files.createDirectories(dir.resolve("data"));
        Map<String, String> c = new LinkedHashMap<>();
        c.put("process.roles", "broker,controller");
        c.put("node.id", "1");
        c.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        c.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        c.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        c.put("controller.listener.names", "CONTROLLER");
        c.put("inter.broker.listener.name", "PLAINTEXT");
        c.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        c.put("log.dirs", dir.resolve("data").toString());
        c.put("num.partitions", "3");
        c.put("offsets.topic.replication.factor", "1");
        c.put("offsets.topic.num.partitions", "3");
        c.put("transaction.state.log.replication.factor", "1");
        c.put("transaction.state.log.min.isr", "1");
        c.put("transaction.state.log.num.partitions", "3");
        c.put("share.coordinator.state.topic.replication.factor", "1");
        c.put("share.coordinator.state.topic.min.isr", "1");
        c.put("group.initial.rebalance.delay.ms", "0");
        c.put("auto.create.topics.enable", "true");
        c.put("log.segment.bytes", String.valueOf(64 * 1024 * 1024));
        c.put("message.max.bytes", String.valueOf(16 * 1024 * 1024));
        // The log cleaner (compacted __consumer_offsets) allocates its whole dedupe buffer on the heap at start:
        // 128 MiB by default, most of this broker's live heap. 32 MiB maps about 1.3 million keys per cleaning pass,
        // more than one 64 MiB segment of the smallest records holds.
        c.put("log.cleaner.dedupe.buffer.size", String.valueOf(32 * 1024 * 1024));
        StringBuilder sb = new StringBuilder("# written by dev.airlock.deploy.KafkaNode\n");
        c.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        Path props = dir.resolve("server.properties");
        Files.writeString(props, sb.toString(), StandardCharsets.UTF_8);
        return props;
    }

    static void formatIfNeeded(Path dir, Path props) throws IOException {
        if (Files.exists(dir.resolve("data").resolve("meta.properties"))) {
            return;
        }
        Path idFile = dir.resolve("cluster.id");
        String clusterId;
        if (Files.exists(idFile)) {
            clusterId = Files.readString(idFile).strip();
        } else {
            clusterId = base64Uuid();
            Files.writeString(idFile, clusterId);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc = kafka.tools.StorageTool.execute(new String[] {"format", "-t", clusterId, "-c", props.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8));
        if (rc != 0) {
            throw new IOException("kafka storage format failed: " + out.toString(StandardCharsets.UTF_8));
        }
    }

    /** Kafka cluster ids are 16 random bytes in URL-safe base64 without padding. */
    private static String base64Uuid() {
        UUID u = UUID.randomUUID();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16);
        b.putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }
}
