package dev.airlock.testsupport.kafka;

import dev.airlock.core.events.Topics;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Quarkus test resource: a real {@link KafkaBroker} for the application under test.
 * <p>
 * Use it as {@code @WithTestResource(KafkaBrokerResource.class)}; test classes declaring the same resources share one
 * broker and one application start ({@code TestResourceScope.MATCHING_RESOURCES}). Init argument {@value #TOPICS}
 * (comma-separated) creates topics, and their {@code <topic>.dlq} twins, before the application subscribes, so
 * consumers and dead-letter producers never race topic auto-creation.
 * Fields annotated {@link InjectKafkaBroker} receive the broker.
 */
public class KafkaBrokerResource implements QuarkusTestResourceLifecycleManager {

    /** Init argument: comma-separated topics to create (with their dead-letter twins) before the application starts. */
    public static final String TOPICS = "topics";

    private List<String> topics = List.of();
    private KafkaBroker broker;

    @Override
    public void init(Map<String, String> initArgs) {
        String raw = initArgs.get(TOPICS);
        if (raw != null && !raw.isBlank()) {
            topics = Arrays.stream(raw.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        }
    }

    @Override
    public Map<String, String> start() {
        broker = KafkaBroker.start();
        if (!topics.isEmpty()) {
            List<String> all = new ArrayList<>(topics);
            topics.forEach(t -> all.add(Topics.dlq(t)));
            broker.createTopics(all);
        }
        Map<String, String> config = new HashMap<>();
        config.put("kafka.bootstrap.servers", broker.bootstrapServers());
        config.put("quarkus.kafka.devservices.enabled", "false");
        return config;
    }

    @Override
    public void stop() {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(broker,
                new TestInjector.AnnotatedAndMatchesType(InjectKafkaBroker.class, KafkaBroker.class));
    }
}
