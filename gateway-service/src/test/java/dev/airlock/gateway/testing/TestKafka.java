package dev.airlock.gateway.testing;

import dev.airlock.testsupport.kafka.KafkaBroker;
import dev.airlock.testsupport.kafka.KafkaTestClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Kafka from the outside of the gateway, for records up to 32 MiB: an idempotent {@code acks=all} producer with a
 * large {@code max.request.size}, topic limits raised like a deployment would, and reads through
 * {@link KafkaTestClient}.
 */
public final class TestKafka implements AutoCloseable {
    public static final int LARGE = 32 * 1024 * 1024;

    private final KafkaTestClient client;
    private final KafkaProducer<String, byte[]> producer;

    public TestKafka(String bootstrapServers) {
        this.client = new KafkaTestClient(bootstrapServers);
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, LARGE,
                ProducerConfig.BUFFER_MEMORY_CONFIG, 2L * LARGE,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.CLIENT_ID_CONFIG, "gateway-test-producer"),
                new StringSerializer(), new ByteArraySerializer());
    }

    public TestKafka(KafkaBroker broker) {
        this(broker.bootstrapServers());
    }

    public KafkaTestClient client() {
        return client;
    }

    public KafkaProducer<String, byte[]> producer() {
        return producer;
    }

    public RecordMetadata send(String topic, String key, byte[] value) {
        try {
            return producer.send(new ProducerRecord<>(topic, key, value)).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("send to " + topic + " failed", e);
        }
    }

    public List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        return client.readAll(topic);
    }

    public List<ConsumerRecord<String, byte[]>> withKey(String topic, String key) {
        return readAll(topic).stream().filter(r -> key.equals(r.key())).toList();
    }

    /** Lets {@code topics} carry records up to {@link #LARGE} bytes (a deployment sets this on the enclave topics). */
    public static void allowLargeRecords(String bootstrapServers, Collection<String> topics) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Map<ConfigResource, Collection<AlterConfigOp>> ops = new java.util.HashMap<>();
            for (String t : topics) {
                ops.put(new ConfigResource(ConfigResource.Type.TOPIC, t), List.of(new AlterConfigOp(
                        new ConfigEntry("max.message.bytes", Integer.toString(LARGE)), AlterConfigOp.OpType.SET)));
            }
            admin.incrementalAlterConfigs(ops).all().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot raise max.message.bytes of " + topics, e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
        client.close();
    }
}
