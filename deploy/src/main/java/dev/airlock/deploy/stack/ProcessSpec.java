package dev.airlock.deploy.stack;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One process of the stack: what runs, where, with which configuration, and how to know it is healthy.
 *
 * @param stage    start order: every process of stage n is healthy before stage n+1 starts (0 infrastructure,
 *                 1 services)
 * @param tcpPorts the TCP ports it listens on (checked free before it starts)
 * @param health   the check for a process started at a given instant whose log grew from a given offset
 * @param consumerGroups the consumer groups it joins on its plane's broker, as their only member: members left there
 *                 by an earlier run are removed before it starts ({@link KafkaSetup#removeStaleMembers})
 */
public record ProcessSpec(String name, Plane plane, String what, int stage, List<String> command,
                          Map<String, String> env, Path workDir, Path log, List<Integer> tcpPorts, Health health,
                          List<String> consumerGroups) {

    @FunctionalInterface
    public interface Health {
        HealthCheck forStart(Instant startedAt, long logOffset);
    }

    public ProcessSpec {
        Objects.requireNonNull(name);
        Objects.requireNonNull(plane);
        command = List.copyOf(command);
        env = Map.copyOf(env);
        tcpPorts = List.copyOf(tcpPorts);
        Objects.requireNonNull(health);
        consumerGroups = List.copyOf(consumerGroups);
    }

    /** A process that joins no consumer group (brokers, databases, producers). */
    public ProcessSpec(String name, Plane plane, String what, int stage, List<String> command, Map<String, String> env,
                       Path workDir, Path log, List<Integer> tcpPorts, Health health) {
        this(name, plane, what, stage, command, env, workDir, log, tcpPorts, health, List.of());
    }
}
