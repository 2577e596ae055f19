package dev.airlock.deploy.stack;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.List;
import java.util.Properties;

/**
 * A child process for {@link StaleMembersTest}: joins consumer group {@code args[1]} on {@code args[0]} for topic
 * {@code args[2]}, prints "assigned" once it holds partitions, and polls until it is killed.
 */
public final class GroupMemberMain {
    private GroupMemberMain() {
    }

    public static void main(String[] args) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, args[1]);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            c.subscribe(List.of(args[2]));
            boolean said = false;
            while (true) {
                c.poll(Duration.ofMillis(200));
                if (!said && !c.assignment().isEmpty()) {
                    System.out.println("assigned " + c.assignment().size());
                    System.out.flush();
                    said = true;
                }
            }
        }
    }
}
