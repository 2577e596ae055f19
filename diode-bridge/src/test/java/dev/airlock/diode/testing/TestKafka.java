package dev.airlock.diode.testing;

import dev.airlock.core.events.Topics;
import dev.airlock.testsupport.kafka.KafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

/** A real single-node KRaft broker (test-support), with the topics of one side created for 4 MiB+ values. */
public final class TestKafka implements AutoCloseable {
    public static final String MAX_MESSAGE_BYTES = String.valueOf(8 * 1024 * 1024);
    private final KafkaBroker broker;
    private final String bootstrap;

    public TestKafka() {
        // test-support's broker (in this JVM, or a container where Infrastructure says so); the topics below carry
        // their own max.message.bytes, so 4 MiB capsules need no broker-wide setting
        this.broker = KafkaBroker.start();
        this.bootstrap = broker.bootstrapServers();
        createTopics(List.of(Topics.CAPSULES_SIGNED, Topics.POLICY_SIGNED, Topics.INBOUND, Topics.DIODE_HEALTH), 1);
    }

    public String bootstrap() {
        return bootstrap;
    }

    public void createTopics(List<String> names, int partitions) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            List<NewTopic> topics = new ArrayList<>();
            for (String n : names) {
                topics.add(new NewTopic(n, partitions, (short) 1).configs(Map.of("max.message.bytes", MAX_MESSAGE_BYTES)));
            }
            admin.createTopics(topics).all().get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("cannot create topics", e);
        }
    }

    /**
     * Commits the current end of {@code topic} for {@code group}, so a sender with that group sees only what is
     * produced from now on (test cases share one broker and the contract topic names).
     */
    public void startGroupAtEnd(String group, String topic) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            TopicPartition tp = new TopicPartition(topic, 0);
            long end = admin.listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()))
                    .partitionResult(tp).get().offset();
            admin.alterConsumerGroupOffsets(group, Map.of(tp,
                    new org.apache.kafka.clients.consumer.OffsetAndMetadata(end))).all().get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("cannot set group offsets", e);
        }
    }

    public KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_MESSAGE_BYTES);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Produces values with their keys (capsule ids) and waits for every acknowledgement. */
    public void produce(String topic, List<Map.Entry<String, byte[]>> records) {
        try (KafkaProducer<byte[], byte[]> p = producer()) {
            List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
            for (Map.Entry<String, byte[]> r : records) {
                acks.add(p.send(new ProducerRecord<>(topic, r.getKey() == null ? null
                        : r.getKey().getBytes(StandardCharsets.UTF_8), r.getValue())));
            }
            for (java.util.concurrent.Future<?> a : acks) {
                a.get();
            }
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("produce failed", e);
        }
    }

    /** A consumer reading a topic from the start without a group. */
    public Reader reader(String topic) {
        return new Reader(topic);
    }

    /** Incremental reader of everything on one topic. */
    public final class Reader implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final List<ConsumerRecord<byte[], byte[]>> seen = new ArrayList<>();

        Reader(String topic) {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, MAX_MESSAGE_BYTES);
            this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> tps = consumer.partitionsFor(topic).stream()
                    .map(pi -> new TopicPartition(topic, pi.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
        }

        /** Polls once more and returns everything seen so far. */
        public synchronized List<ConsumerRecord<byte[], byte[]>> poll() {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                seen.add(r);
            }
            return List.copyOf(seen);
        }

        @Override
        public synchronized void close() {
            consumer.close();
        }
    }

    @Override
    public void close() {
        broker.close();
    }
}
