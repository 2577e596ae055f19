package dev.airlock.testsupport.kafka;

import io.smallrye.reactive.messaging.kafka.companion.test.EmbeddedKafkaBroker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/** KRaft broker+controller in this JVM (SmallRye's {@link EmbeddedKafkaBroker} over {@code kafka_2.13}). */
final class EmbeddedKafka implements KafkaBroker {

    /** Set to {@code INFO} (or another JUL level) to see the broker's own log lines. */
    static final String LOG_LEVEL_PROPERTY = "airlock.test.kafka.log";

    // JUL keeps loggers weakly; hold them so the quieter level survives garbage collection.
    private static final List<Logger> QUIETED = List.of(Logger.getLogger("kafka"), Logger.getLogger("org.apache.kafka"),
            Logger.getLogger("state.change.logger"), Logger.getLogger(EmbeddedKafkaBroker.class.getName()));

    private static final System.Logger LOG = System.getLogger(EmbeddedKafka.class.getName());

    private final EmbeddedKafkaBroker broker;
    private final String bootstrapServers;

    private EmbeddedKafka(EmbeddedKafkaBroker broker) {
        this.broker = broker;
        // advertised listeners read "PLAINTEXT://127.0.0.1:port"; bootstrap.servers wants host:port
        String advertised = broker.getAdvertisedListeners().split(",")[0];
        this.bootstrapServers = advertised.substring(advertised.indexOf("://") + 3);
    }

    static EmbeddedKafka start() {
        return start(Map.of());
    }

    /** A broker with {@code extra} broker properties on top of the single-node ones below. */
    static EmbeddedKafka start(Map<String, String> extra) {
        Level level = Level.parse(System.getProperty(LOG_LEVEL_PROPERTY, "WARNING"));
        QUIETED.forEach(l -> l.setLevel(level));
        String logDir;
        try {
            logDir = Files.createTempDirectory("airlock-kafka-").toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long started = System.nanoTime();
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker()
                .withKafkaHost("127.0.0.1")
                .withDeleteLogDirsOnClose(true)
                .withAdditionalProperties(p -> {
                    p.put("log.dir", logDir);
                    // single node: internal topics must not wait for replicas that will never exist
                    p.put("offsets.topic.replication.factor", "1");
                    p.put("transaction.state.log.replication.factor", "1");
                    p.put("transaction.state.log.min.isr", "1");
                    p.put("min.insync.replicas", "1");
                    p.put("group.initial.rebalance.delay.ms", "0");
                    p.put("auto.create.topics.enable", "true");
                    p.putAll(extra);
                })
                .start();
        EmbeddedKafka kafka = new EmbeddedKafka(broker);
        LOG.log(System.Logger.Level.INFO, "Embedded Kafka broker at {0} started in {1} ms", kafka.bootstrapServers,
                (System.nanoTime() - started) / 1_000_000);
        return kafka;
    }

    @Override
    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public String kind() {
        return "embedded";
    }

    @Override
    public void close() {
        broker.close();
    }

    @Override
    public String toString() {
        return "embedded Kafka at " + bootstrapServers;
    }
}
