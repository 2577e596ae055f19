package dev.airlock.deploy.stack;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * How the stack knows a process is ready: not "the process runs" but "it does its job" (a broker answers metadata
 * requests, a database answers a query, a Quarkus service reports ready, a port-less consumer has joined its group, the
 * diode carries heartbeats). A probe never throws: it answers healthy or not, with a line a person can act on.
 */
public interface HealthCheck {

    record Result(boolean healthy, String detail) {
        public static Result ok(String detail) {
            return new Result(true, detail);
        }

        public static Result notYet(String detail) {
            return new Result(false, detail);
        }
    }

    Result probe();

    /** What is checked, for messages ("AdminClient describeCluster on 127.0.0.1:19092"). */
    String describe();

    static Properties kafkaClient(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        // generous: on a busy 2-core machine a fresh client needs seconds for its first metadata round trip
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "8000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "airlock-stack-health");
        return p;
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while ((c instanceof ExecutionException || c.getCause() != null && c.getMessage() == null) && c.getCause() != null) {
            c = c.getCause();
        }
        String m = c.getMessage();
        return c.getClass().getSimpleName() + (m == null ? "" : ": " + m.lines().findFirst().orElse(""));
    }

    /** A broker of this cluster answers {@code describeCluster}. */
    record KafkaCluster(String bootstrap) implements HealthCheck {
        @Override
        public Result probe() {
            try (Admin admin = Admin.create(kafkaClient(bootstrap))) {
                var d = admin.describeCluster(new DescribeClusterOptions().timeoutMs(10_000));
                Collection<Node> nodes = d.nodes().get(12, TimeUnit.SECONDS);
                String id = d.clusterId().get(12, TimeUnit.SECONDS);
                return nodes.isEmpty() ? Result.notYet("no broker in the cluster yet")
                        : Result.ok(String.format(Locale.ROOT, "cluster %s, %d broker(s)", id, nodes.size()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Result.notYet("interrupted");
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                return Result.notYet("no answer from " + bootstrap + " (" + rootMessage(e) + ")");
            }
        }

        @Override
        public String describe() {
            return "Kafka describeCluster on " + bootstrap;
        }
    }

    /** Each database answers {@code select 1}. */
    record Postgres(PostgresTarget target, List<String> databases) implements HealthCheck {
        @Override
        public Result probe() {
            for (String db : databases) {
                try (Connection c = DriverManager.getConnection(target.jdbcUrl(db), target.user(), target.password());
                     Statement s = c.createStatement()) {
                    s.setQueryTimeout(3);
                    try (ResultSet rs = s.executeQuery("select 1")) {
                        rs.next();
                    }
                } catch (SQLException e) {
                    return Result.notYet("database " + db + " on " + target.host() + ":" + target.port() + ": "
                            + e.getMessage().lines().findFirst().orElse(""));
                }
            }
            return Result.ok("select 1 answered by " + String.join(", ", databases));
        }

        @Override
        public String describe() {
            return "select 1 on " + target.describe() + " " + databases;
        }
    }

    /** A Quarkus service's readiness ({@code /q/health/ready}: 200 ready, 503 a check is down). */
    record Http(URI uri) implements HealthCheck {
        private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

        @Override
        public Result probe() {
            try {
                HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(3)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                String body = r.body() == null ? "" : r.body().replaceAll("\\s+", " ");
                if (r.statusCode() == 200) {
                    return Result.ok("ready (" + uri.getPath() + " 200)");
                }
                if (r.statusCode() == 404) {
                    // A service built without SmallRye Health: it serves HTTP, which is all we can know.
                    return Result.ok("HTTP answers (no " + uri.getPath() + " in this build)");
                }
                return Result.notYet(uri.getPath() + " answered " + r.statusCode() + ": "
                        + (body.length() > 300 ? body.substring(0, 300) + "…" : body));
            } catch (ConnectException e) {
                return Result.notYet("nothing listens on " + uri.getHost() + ":" + uri.getPort() + " yet");
            } catch (IOException e) {
                return Result.notYet(uri + ": " + rootMessage(e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Result.notYet("interrupted");
            }
        }

        @Override
        public String describe() {
            return "GET " + uri;
        }
    }

    /**
     * A port-less consumer is working when its consumer group is stable with at least one member: it reached its
     * broker, subscribed and got partitions.
     */
    record ConsumerGroup(String bootstrap, String groupId) implements HealthCheck {
        @Override
        public Result probe() {
            try (Admin admin = Admin.create(kafkaClient(bootstrap))) {
                ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(groupId),
                                new DescribeConsumerGroupsOptions().timeoutMs(10_000))
                        .describedGroups().get(groupId).get(12, TimeUnit.SECONDS);
                int members = d.members().size();
                if (d.groupState() == GroupState.STABLE && members > 0) {
                    int partitions = d.members().stream().mapToInt(m -> m.assignment().topicPartitions().size()).sum();
                    return Result.ok(String.format(Locale.ROOT, "consumer group %s stable, %d member(s), %d partition(s)",
                            groupId, members, partitions));
                }
                return Result.notYet("consumer group " + groupId + " is " + d.groupState() + " with " + members + " member(s)");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Result.notYet("interrupted");
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                return Result.notYet("consumer group " + groupId + " on " + bootstrap + ": " + rootMessage(e));
            }
        }

        @Override
        public String describe() {
            return "consumer group " + groupId + " on " + bootstrap;
        }
    }

    /**
     * The diode works end to end when a record the receiver wrote to {@code airlock.diode.health.v1} is newer than
     * {@code since}: heartbeats left the sender, crossed as UDP and were published inside.
     */
    record DiodeCrossing(String enclaveBootstrap, String topic, Instant since) implements HealthCheck {
        @Override
        public Result probe() {
            Properties p = kafkaClient(enclaveBootstrap);
            p.remove(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG);
            p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
                List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(10));
                if (infos == null || infos.isEmpty()) {
                    return Result.notYet("topic " + topic + " does not exist yet");
                }
                List<TopicPartition> tps = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
                c.assign(tps);
                Map<TopicPartition, Long> query = new HashMap<>();
                tps.forEach(tp -> query.put(tp, since.toEpochMilli()));
                Map<TopicPartition, OffsetAndTimestamp> at = c.offsetsForTimes(query, Duration.ofSeconds(10));
                List<TopicPartition> withData = new ArrayList<>();
                for (TopicPartition tp : tps) {
                    OffsetAndTimestamp o = at.get(tp);
                    if (o != null) {
                        c.seek(tp, o.offset());
                        withData.add(tp);
                    }
                }
                if (withData.isEmpty()) {
                    return Result.notYet("no diode health record since " + since + " yet");
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofSeconds(2))) {
                    String v = new String(r.value() == null ? new byte[0] : r.value(), StandardCharsets.UTF_8);
                    if (v.contains("airlock.diode.")) {
                        return Result.ok("diode records arriving on " + topic);
                    }
                }
                return Result.ok("diode records arriving on " + topic);
            } catch (RuntimeException e) {
                return Result.notYet(topic + " on " + enclaveBootstrap + ": " + rootMessage(e));
            }
        }

        @Override
        public String describe() {
            return "records on " + topic + " (enclave) newer than the receiver's start";
        }
    }

    /** A line in the process's log (the fallback for a process with no other observable sign of life). */
    record LogLine(Path log, long fromOffset, Pattern pattern, String what) implements HealthCheck {
        @Override
        public Result probe() {
            try (InputStream in = Files.newInputStream(log)) {
                in.skipNBytes(Math.min(fromOffset, Files.size(log)));
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                return pattern.matcher(text).find() ? Result.ok(what) : Result.notYet("waiting for '" + pattern + "' in " + log);
            } catch (IOException e) {
                return Result.notYet("cannot read " + log + ": " + e.getMessage());
            }
        }

        @Override
        public String describe() {
            return "'" + pattern + "' in " + log;
        }
    }

    /**
     * A port-less service's status file, written by the process itself: the runner's ({@code airlock.runner-status/v1},
     * {@code "state": "READY"}, rewritten on every change) or the gateway's ({@code airlock.gateway.status/v1},
     * {@code "ready": true}, rewritten every second, so a stale {@code updatedAt} means a hung gateway). A file older
     * than the process is an earlier run's. A build that writes none (the file never appears) is judged by the other
     * checks.
     */
    record StatusFile(Path file, Instant processStart) implements HealthCheck {
        static final Duration PERIODIC_STALE = Duration.ofSeconds(30);

        @Override
        public Result probe() {
            if (!Files.exists(file)) {
                return Result.ok("no status file in this build");
            }
            try {
                com.fasterxml.jackson.databind.JsonNode j = new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(Files.readAllBytes(file));
                Instant updated = j.hasNonNull("updatedAt") ? Instant.parse(j.path("updatedAt").asText()) : null;
                if (updated != null && processStart != null && updated.isBefore(processStart.minusSeconds(2))) {
                    return Result.notYet("status file " + file.getFileName() + " is from an earlier run (" + updated + ")");
                }
                if (j.has("ready")) {
                    if (updated == null || updated.isBefore(Instant.now().minus(PERIODIC_STALE))) {
                        return Result.notYet("status file not rewritten since " + updated + " (hung?)");
                    }
                    if (!j.path("ready").asBoolean()) {
                        return Result.notYet("not ready yet");
                    }
                    if (j.path("frozen").asBoolean()) {
                        return Result.notYet("FROZEN: no fresh diode heartbeat since " + j.path("lastHeartbeat").asText()
                                + " (admits nothing until one arrives)");
                    }
                    if (j.path("policyExpired").asBoolean(false)) {
                        return Result.notYet("the policy in force expired at " + j.path("policyExpiresAt").asText()
                                + " (admits nothing)");
                    }
                    return Result.ok(String.format(Locale.ROOT, "ready, policy v%s, %d admitted, %d rejected, diode heartbeat %s",
                            j.path("policyVersion").asText("?"), j.path("admitted").asLong(), j.path("rejected").asLong(),
                            j.path("stale").asBoolean() ? "STALE" : "fresh"));
                }
                String state = j.path("state").asText("?");
                if (!"READY".equals(state)) {
                    return Result.notYet("status " + state + (j.hasNonNull("problem") ? ": " + j.path("problem").asText() : ""));
                }
                return Result.ok("status READY" + (j.has("networkIsolated") ? ", validations "
                        + (j.path("networkIsolated").asBoolean() ? "without network" : "WITH network (no unshare -n)") : ""));
            } catch (IOException | RuntimeException e) {
                return Result.notYet("status file " + file + " unreadable: " + e.getMessage());
            }
        }

        @Override
        public String describe() {
            return "readiness in " + file;
        }
    }

    /** Every check healthy; the first one that is not names the problem. */
    record AllOf(List<HealthCheck> checks) implements HealthCheck {
        @Override
        public Result probe() {
            List<String> ok = new ArrayList<>();
            for (HealthCheck c : checks) {
                Result r = c.probe();
                if (!r.healthy()) {
                    return r;
                }
                ok.add(r.detail());
            }
            return Result.ok(String.join("; ", ok));
        }

        @Override
        public String describe() {
            return String.join(" and ", checks.stream().map(HealthCheck::describe).toList());
        }
    }
}
