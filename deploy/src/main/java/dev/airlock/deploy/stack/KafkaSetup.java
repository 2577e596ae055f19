package dev.airlock.deploy.stack;

import dev.airlock.core.events.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Topics of both clusters (with their dead-letter twins) and the first publication of the site policy. */
public final class KafkaSetup {
    private KafkaSetup() {
    }

    /** Creates the missing topics of one cluster; raises {@code max.message.bytes} where an old one is smaller. */
    public static int ensureTopics(String bootstrap, List<String> topics) throws Exception {
        try (Admin admin = Admin.create(HealthCheck.kafkaClient(bootstrap))) {
            Set<String> existing = admin.listTopics().names().get(10, TimeUnit.SECONDS);
            List<NewTopic> create = new ArrayList<>();
            Map<String, String> cfg = Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                    Integer.toString(StackPlan.MAX_MESSAGE_BYTES));
            List<String> all = new ArrayList<>();
            for (String t : topics) {
                all.add(t);
                all.add(Topics.dlq(t));
            }
            for (String t : all) {
                if (!existing.contains(t)) {
                    // one partition for the policy topic: policies are applied strictly in order
                    int partitions = t.startsWith(Topics.POLICY_SIGNED) ? 1 : 3;
                    create.add(new NewTopic(t, partitions, (short) 1).configs(cfg));
                }
            }
            if (!create.isEmpty()) {
                try {
                    admin.createTopics(create).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            List<String> old = all.stream().filter(existing::contains).toList();
            if (!old.isEmpty()) {
                Map<ConfigResource, Collection<AlterConfigOp>> ops = new HashMap<>();
                for (String t : old) {
                    ops.put(new ConfigResource(ConfigResource.Type.TOPIC, t), List.of(new AlterConfigOp(
                            new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(StackPlan.MAX_MESSAGE_BYTES)),
                            AlterConfigOp.OpType.SET)));
                }
                admin.incrementalAlterConfigs(ops).all().get(30, TimeUnit.SECONDS);
            }
            return create.size();
        }
    }

    /**
     * Removes every member of the given consumer groups, for a process about to be started as their only consumer.
     * A consumer killed without leaving its group (kill -9, a crash, the machine stopping) stays a member until its
     * session times out (45 s by default), and the broker keeps such members across its own restart. Until then its
     * successor waits in a rebalance while the group still looks stable with one member, so a health check that only
     * counts members would pass on the dead one. Only the local stack calls this: it owns its brokers, and it calls it
     * after making sure no earlier process of the service is alive. (KIP-571: a LeaveGroup on the dead members' behalf.)
     *
     * @return the number of members removed, by group (groups that had none are left out)
     */
    public static Map<String, Integer> removeStaleMembers(String bootstrap, List<String> groups) throws Exception {
        Map<String, Integer> removed = new LinkedHashMap<>();
        if (groups.isEmpty()) {
            return removed;
        }
        try (Admin admin = Admin.create(HealthCheck.kafkaClient(bootstrap))) {
            Map<String, ConsumerGroupDescription> described = new LinkedHashMap<>();
            var futures = admin.describeConsumerGroups(groups, new DescribeConsumerGroupsOptions().timeoutMs(10_000))
                    .describedGroups();
            for (String g : groups) {
                try {
                    described.put(g, futures.get(g).get(12, TimeUnit.SECONDS));
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                        throw e;
                    }
                }
            }
            for (Map.Entry<String, ConsumerGroupDescription> e : described.entrySet()) {
                int members = e.getValue().members().size();
                if (members == 0) {
                    continue;
                }
                RemoveMembersFromConsumerGroupOptions all = new RemoveMembersFromConsumerGroupOptions();
                all.reason("airlock up: members of a process that is no longer running");
                admin.removeMembersFromConsumerGroup(e.getKey(), all).all().get(30, TimeUnit.SECONDS);
                removed.put(e.getKey(), members);
            }
        }
        return removed;
    }

    /** Whether a topic holds any record (end offsets above the start offsets). */
    public static boolean hasRecords(String bootstrap, String topic) {
        Properties p = HealthCheck.kafkaClient(bootstrap);
        p.remove("default.api.timeout.ms");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> tps = c.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            Map<TopicPartition, Long> begin = c.beginningOffsets(tps, Duration.ofSeconds(10));
            Map<TopicPartition, Long> end = c.endOffsets(tps, Duration.ofSeconds(10));
            return tps.stream().anyMatch(tp -> end.get(tp) > begin.get(tp));
        }
    }

    /** Publishes one value with CloudEvents binary headers ({@code ce_type} = the value's schema or payloadType). */
    public static void publish(String bootstrap, String topic, String key, byte[] value, String ceType, String source)
            throws InterruptedException, ExecutionException, TimeoutException {
        try (KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
            send(producer, topic, key, value, ceType, source).get(30, TimeUnit.SECONDS);
        }
    }

    public static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Properties p = HealthCheck.kafkaClient(bootstrap);
        p.remove("default.api.timeout.ms");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(StackPlan.MAX_MESSAGE_BYTES));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        return new KafkaProducer<>(p);
    }

    public static java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> send(
            KafkaProducer<String, byte[]> producer, String topic, String key, byte[] value, String ceType, String source) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, key, value);
        r.headers().add(new RecordHeader(Topics.CE_SPECVERSION, "1.0".getBytes(StandardCharsets.UTF_8)));
        r.headers().add(new RecordHeader(Topics.CE_TYPE, ceType.getBytes(StandardCharsets.UTF_8)));
        r.headers().add(new RecordHeader(Topics.CE_SOURCE, source.getBytes(StandardCharsets.UTF_8)));
        r.headers().add(new RecordHeader(Topics.CE_ID, UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8)));
        r.headers().add(new RecordHeader(Topics.CE_TIME, Instant.now().toString().getBytes(StandardCharsets.UTF_8)));
        return producer.send(r);
    }
}
