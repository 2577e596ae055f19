package dev.airlock.gateway.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.crypto.PublicKeyHandle;
import dev.airlock.core.dsse.Dsse;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.dsse.KeyRing;
import dev.airlock.core.dsse.PayloadTypes;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.Policy;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;
import dev.airlock.gateway.config.GatewayConfig;
import dev.airlock.gateway.messaging.DiodeHealthPublisher;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Freshness of the diode: the gateway only admits while it knows the one-way link is alive. It reads the bridge's
 * signed heartbeats from {@code airlock.diode.health.v1}, verifies each over its exact bytes with the keys of the
 * principals holding the {@code bridge} role in the policy in force, and keeps the newest {@code sentAt}. When none
 * was sent within {@code heartbeat-window} (after a start-up grace), it raises one freeze alarm per episode on the
 * same topic and in its log and, with {@code freeze-when-stale}, holds inbound records (never rejects them) until a
 * fresh heartbeat arrives. The gateway never produces heartbeats itself.
 */
@ApplicationScoped
public class DiodeFreshness {
    public static final String FREEZE_SCHEMA = "airlock.diode.freeze/v1";
    private static final Logger LOG = Logger.getLogger(DiodeFreshness.class);
    private static final StrictJson.Limits LIMITS = new StrictJson.Limits(64 * 1024, 8, 500);

    /** What became of one record of the health topic. */
    public enum Outcome { ACCEPTED, IGNORED, REFUSED }

    private final Clock clock;
    private final GatewayConfig config;
    private final PolicyState policies;
    private final DiodeHealthPublisher health;
    private final GatewayIdentity gateway;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition thawed = lock.newCondition();
    private Instant startedAt;
    private Instant newestSentAt;
    private boolean alarmed;
    private boolean frozen;
    private long refused;

    @Inject
    public DiodeFreshness(Clock clock, GatewayConfig config, PolicyState policies, DiodeHealthPublisher health,
            GatewayIdentity gateway) {
        this.clock = clock;
        this.config = config;
        this.policies = policies;
        this.health = health;
        this.gateway = gateway;
    }

    /** Starts the grace period. */
    public void start() {
        lock.lock();
        try {
            startedAt = clock.instant();
        } finally {
            lock.unlock();
        }
    }

    /** Verifies one record of {@code airlock.diode.health.v1}; heartbeats that verify refresh the diode's freshness. */
    public Outcome offer(byte[] value) {
        if (value == null) {
            return Outcome.IGNORED;
        }
        JsonNode tree;
        try {
            tree = StrictJson.readTree(value, LIMITS);
        } catch (VerificationException e) {
            return refuse("health record: " + e.reason() + " " + e.detail());
        }
        JsonNode schema = tree.get("schema");
        if (schema == null || !schema.isTextual() || !Heartbeat.RECORD_SCHEMA.equals(schema.textValue())) {
            return Outcome.IGNORED; // counters, gaps, freeze alarms: the evidence service's business
        }
        try {
            Heartbeat hb = verify(tree.get("envelope"));
            Instant now = clock.instant();
            if (hb.sentAt().isAfter(now.plus(config.clockSkew()))) {
                // a heartbeat from the future would keep the gateway "fresh" for as long as it is ahead
                return refuse("heartbeat sentAt " + StrictJson.formatInstant(hb.sentAt())
                        + " is beyond the allowed clock skew");
            }
            accept(hb, now);
            return Outcome.ACCEPTED;
        } catch (VerificationException e) {
            return refuse("heartbeat: " + e.reason() + " " + e.detail());
        }
    }

    private Heartbeat verify(JsonNode envelope) throws VerificationException {
        if (envelope == null || !envelope.isObject()) {
            throw new VerificationException(ReasonCode.MALFORMED, "no envelope");
        }
        Envelope env = Envelope.fromTree(envelope);
        env.requirePayloadType(PayloadTypes.DIODE_HEARTBEAT);
        TrustedPolicy policy = policies.current().orElseThrow(() ->
                new VerificationException(ReasonCode.POLICY_INVALID, "no policy is installed"));
        KeyRing bridges = policy.ringForRole("bridge");
        // verify before parse: the payload is read only once a bridge key's signature over it verified
        Dsse.Result r = Dsse.verify(env, bridges);
        if (!r.anyVerified()) {
            throw new VerificationException(r.anyKnownKey() ? ReasonCode.SIGNATURE_INVALID : ReasonCode.UNKNOWN_KEY,
                    "not signed by a bridge of policy version " + policy.version());
        }
        Heartbeat hb = StrictJson.read(env.payloadBytes(), Heartbeat.class, LIMITS);
        Set<String> signers = new LinkedHashSet<>();
        for (PublicKeyHandle k : r.verifiedKeys()) {
            signers.addAll(policy.ownersOf(k));
        }
        Optional<Policy.Principal> bridge = policy.principal(hb.bridge());
        if (!signers.contains(hb.bridge()) || bridge.isEmpty() || !bridge.get().hasRole("bridge")) {
            throw new VerificationException(ReasonCode.UNKNOWN_KEY,
                    "heartbeat names bridge '" + hb.bridge() + "' but is signed by " + signers);
        }
        return hb;
    }

    private void accept(Heartbeat hb, Instant now) {
        lock.lock();
        try {
            if (newestSentAt == null || hb.sentAt().isAfter(newestSentAt)) {
                newestSentAt = hb.sentAt();
            }
            evaluate(now);
        } finally {
            lock.unlock();
        }
    }

    private Outcome refuse(String why) {
        lock.lock();
        try {
            refused++;
        } finally {
            lock.unlock();
        }
        LOG.warnf("Ignoring a record on the diode health topic: %s", why);
        return Outcome.REFUSED;
    }

    /** Periodic staleness check (the alarm must not wait for the next inbound record). */
    @Scheduled(every = "${airlock.gateway.heartbeat-check-interval:PT5S}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void check() {
        lock.lock();
        try {
            if (startedAt != null) {
                evaluate(clock.instant());
            }
        } finally {
            lock.unlock();
        }
    }

    /** Holds the caller while the diode is stale and {@code freeze-when-stale} is set. */
    public void awaitAdmittable() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                evaluate(clock.instant());
                if (!frozen) {
                    return;
                }
                // re-evaluated at least every second: the clock moves on even when no heartbeat arrives
                thawed.await(1, TimeUnit.SECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Must hold the lock. */
    private void evaluate(Instant now) {
        if (startedAt == null) {
            return;
        }
        boolean stale = !now.isBefore(deadline());
        if (stale && !alarmed) {
            alarmed = true;
            frozen = config.freezeWhenStale();
            Instant since = newestSentAt != null ? newestSentAt : startedAt;
            LOG.warnf("Diode freeze: no signed heartbeat sent since %s (window %s)%s", StrictJson.formatInstant(since),
                    config.heartbeatWindow(), frozen ? "; admissions are held until a fresh heartbeat arrives" : "");
            Map<String, Object> alarm = new LinkedHashMap<>();
            alarm.put("schema", FREEZE_SCHEMA);
            alarm.put("since", StrictJson.formatInstant(since));
            alarm.put("window", config.heartbeatWindow().toString());
            byte[] value = StrictJson.write(alarm);
            health.publish(gateway.id(), FREEZE_SCHEMA, value).whenComplete((ok, failure) -> {
                if (failure != null) {
                    LOG.errorf("Could not publish the freeze alarm %s: %s", new String(value, StandardCharsets.UTF_8),
                            failure.getMessage());
                }
            });
        } else if (!stale && alarmed) {
            alarmed = false;
            frozen = false;
            LOG.infof("Diode fresh again: heartbeat sent at %s; admissions resume", StrictJson.formatInstant(newestSentAt));
            thawed.signalAll();
        }
    }

    /** Must hold the lock: the instant from which the diode counts as stale. */
    private Instant deadline() {
        Duration grace = config.heartbeatGrace().orElse(config.heartbeatWindow());
        Instant byGrace = startedAt.plus(grace);
        if (newestSentAt == null) {
            return byGrace;
        }
        Instant byHeartbeat = newestSentAt.plus(config.heartbeatWindow());
        return byHeartbeat.isAfter(byGrace) ? byHeartbeat : byGrace;
    }

    public Optional<Instant> lastHeartbeat() {
        lock.lock();
        try {
            return Optional.ofNullable(newestSentAt);
        } finally {
            lock.unlock();
        }
    }

    /** True while an alarm is raised (stale), whether or not admissions are held. */
    public boolean stale() {
        lock.lock();
        try {
            return alarmed;
        } finally {
            lock.unlock();
        }
    }

    public boolean frozen() {
        lock.lock();
        try {
            return frozen;
        } finally {
            lock.unlock();
        }
    }

    public long refused() {
        lock.lock();
        try {
            return refused;
        } finally {
            lock.unlock();
        }
    }
}
