package dev.airlock.runner.service;

import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.capsule.SignedCapsule;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.dsse.PayloadTypes;
import dev.airlock.core.events.Admission;
import dev.airlock.core.evidence.EvidenceBundles;
import dev.airlock.core.evidence.EvidencePredicate;
import dev.airlock.core.evidence.Statement;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;
import dev.airlock.runner.config.RunnerConfig;
import dev.airlock.runner.config.RunnerKeys;
import dev.airlock.runner.domain.CapsuleExecutor;
import dev.airlock.runner.domain.DurableFiles;
import dev.airlock.runner.domain.Evidence;
import dev.airlock.runner.domain.EvidenceSpool;
import dev.airlock.runner.domain.ExecutedCapsules;
import dev.airlock.runner.domain.Recovery;
import dev.airlock.runner.domain.RunAborted;
import dev.airlock.runner.domain.RunJournal;
import dev.airlock.runner.domain.ValidationRunner;
import dev.airlock.runner.messaging.EvidenceRawPublisher;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The runner: takes verified admissions, runs each admitted capsule of its environment on its repository's workspace
 * ({@link CapsuleExecutor}), signs the evidence with the runner key, spools it, and sends it until the broker has it.
 *
 * <p>Order of effects for one capsule, which is what makes a crash at any point safe (ARCHITECTURE §7 step 5,
 * SECURITY-TESTS F.33): journal → workspace writes → evidence spooled (fsync) → capsule recorded as executed →
 * journal removed → admission acknowledged → evidence sent → spool file deleted on the broker's acknowledgement.
 * A crash before the spool write is recovered at start from the journal ({@code INTERRUPTED}); after it, the recorded
 * capsule makes the redelivered admission a no-op and the spool makes the evidence reach the broker.
 *
 * <p>Concurrency: one lane (a single thread) per workspace, so capsules on one workspace run one at a time and in the
 * order they were admitted; different workspaces run in parallel. At most {@code max-in-flight} admissions are taken
 * from the broker before their runs finish. Any failure of the runner's own state directory stops the process
 * (crash-only: the next start recovers from the journal).
 */
@Singleton
public class RunnerService {

    private static final Logger LOG = Logger.getLogger(RunnerService.class);
    private static final StrictJson.Limits CAPSULE_LIMITS = StrictJson.SIGNED.withMaxBytes(80L * 1024 * 1024);
    private static final int MAX_SENDING = 64;

    private final RunnerConfig config;
    private final RunnerKeys keys;
    private final Clock clock;
    private final EvidenceRawPublisher publisher;
    private final StatusReporter status;
    private final EvidencePredicate.Component runner;

    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final Map<Path, ExecutorService> lanes = new ConcurrentHashMap<>();
    private final Set<String> inProgress = ConcurrentHashMap.newKeySet();
    private final Set<String> sending = ConcurrentHashMap.newKeySet();
    private final AsyncPermits permits;

    private RunJournal journal;
    private EvidenceSpool spool;
    private ExecutedCapsules executed;
    private ValidationRunner validator;
    private CapsuleExecutor executor;
    private ScheduledExecutorService spoolRetry;
    private FileChannel lockChannel;
    private FileLock lock;

    @Inject
    public RunnerService(RunnerConfig config, RunnerKeys keys, Clock clock, EvidenceRawPublisher publisher,
                         StatusReporter status,
                         @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown")
                         String version) {
        this.config = config;
        this.keys = keys;
        this.clock = clock;
        this.publisher = publisher;
        this.status = status;
        this.runner = new EvidencePredicate.Component(config.id(), version);
        this.permits = new AsyncPermits(config.maxInFlight());
    }

    /** Start-up: lock the state directory, recover interrupted runs, then take admissions and resend the spool. */
    void start(@Observes StartupEvent event) {
        try {
            Path state = DurableFiles.privateDirectory(config.stateDir().toAbsolutePath());
            lockChannel = FileChannel.open(state.resolve("runner.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            lock = lockChannel.tryLock();
            if (lock == null) {
                throw new IllegalStateException("another runner process uses the state directory " + state);
            }
            journal = new RunJournal(state.resolve("journal"));
            spool = new EvidenceSpool(state.resolve("spool"));
            EvidenceSpool counted = spool;
            status.countSpoolWith(() -> {
                try {
                    return counted.size();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            executed = new ExecutedCapsules(state.resolve("executed"));
            validator = new ValidationRunner(new ValidationRunner.Settings(config.outputCapBytes(),
                    config.networkIsolation(), config.validationPath(), config.validationHome(), config.javaHome(),
                    config.validationEnvironment(), state.resolve("home")));
            executor = new CapsuleExecutor(runner, journal, validator, clock, stopping::get);
            status.networkIsolated(validator.isolates());
            String isolation = validator.isolationProblem();
            if (isolation != null) {
                LOG.error(isolation + ": every capsule will be rejected until this is fixed");
            }
            status.state(StatusReporter.State.RECOVERING, null);
            recover();
            status.state(StatusReporter.State.READY, null);
            LOG.infof("Runner %s ready for environment %s with workspaces %s", config.id(), config.environment(),
                    config.workspaces().keySet());
            ready.complete(null);
            spoolRetry = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "evidence-spool"));
            long every = Math.max(1, config.spoolRetryInterval().toMillis());
            spoolRetry.scheduleWithFixedDelay(this::resendSpool, 0, every, TimeUnit.MILLISECONDS);
        } catch (IOException | RuntimeException e) {
            status.state(StatusReporter.State.FAILED, e.toString());
            ready.completeExceptionally(e);
            throw new IllegalStateException("runner start-up failed: " + e.getMessage(), e);
        }
    }

    void stop(@Observes ShutdownEvent event) {
        stopping.set(true);
        status.state(StatusReporter.State.STOPPING, null);
        if (validator != null) {
            validator.killAll();
        }
        lanes.values().forEach(ExecutorService::shutdown);
        for (ExecutorService lane : lanes.values()) {
            try {
                if (!lane.awaitTermination(20, TimeUnit.SECONDS)) {
                    LOG.warn("A run did not stop in time; its journal will be recovered at the next start");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (spoolRetry != null) {
            spoolRetry.shutdownNow();
        }
        try {
            if (lock != null) {
                lock.release();
            }
            if (lockChannel != null) {
                lockChannel.close();
            }
        } catch (IOException e) {
            LOG.debugf("Releasing the state lock: %s", e);
        }
    }

    private void recover() throws IOException {
        for (Recovery.Recovered r : new Recovery(journal, runner, clock)
                .recover(id -> spool.contains(id) || executed.contains(id))) {
            if (r.predicate() == null) {
                if (!executed.contains(r.record().capsuleId())) {
                    executed.record(new ExecutedCapsules.Entry(r.record().capsuleId(), r.record().capsuleDigest(),
                            null, clock.instant()));
                }
                r.journal().delete();
            } else {
                finish(r.record().capsuleId(), r.record().capsuleDigest(),
                        new CapsuleExecutor.Finished(r.predicate(), r.journal()));
            }
        }
    }

    /**
     * Handles one verified admission. The returned stage completes when the admission has been taken (a run queued,
     * or nothing to do); {@code ack} is called once its effects are durable (evidence spooled), never for a run cut
     * short by the runner stopping.
     */
    public CompletionStage<Void> submit(Admission admission, Supplier<CompletionStage<Void>> ack) {
        return ready.thenCompose(ignored -> {
            if (!admission.admitted()) {
                // The gateway signed a rejection and emitted its evidence; nothing runs.
                LOG.debugf("Admission of %s is a rejection (%s): nothing to run", admission.capsuleId(),
                        admission.reason());
                return ack.get();
            }
            if (!config.environment().equals(admission.environment())) {
                LOG.debugf("Capsule %s is for environment %s, this runner serves %s", admission.capsuleId(),
                        admission.environment(), config.environment());
                return ack.get();
            }
            String id = admission.capsuleId();
            // Claim first, then look at the durable record: a run records its capsule before it releases the claim.
            if (!inProgress.add(id)) {
                LOG.infof("Capsule %s is being run already; the repeated admission is acknowledged", id);
                return ack.get();
            }
            if (executed.contains(id)) {
                inProgress.remove(id);
                LOG.infof("Capsule %s was executed by this runner before; the repeated admission is acknowledged and "
                        + "not run again", id);
                return ack.get();
            }
            return permits.acquire().thenRun(() -> dispatch(admission, ack));
        });
    }

    private void dispatch(Admission admission, Supplier<CompletionStage<Void>> ack) {
        String id = admission.capsuleId();
        Resolved resolved = resolve(admission);
        CapsuleExecutor.Request request = resolved.request();
        EvidencePredicate rejection = null;
        if (request == null) {
            LOG.warnf("Capsule %s rejected by the runner: %s %s", id, resolved.reason(), resolved.detail());
            rejection = Evidence.of(admission, runner, clock.instant()).failure(resolved.reason(), resolved.detail())
                    .finish(Evidence.REJECTED, clock.instant());
        }
        CapsuleExecutor.Request req = request;
        EvidencePredicate rejected = rejection;
        Path laneKey = req == null ? Path.of("") : laneKey(req.workspace());
        ExecutorService lane = lanes.computeIfAbsent(laneKey,
                k -> Executors.newSingleThreadExecutor(r -> daemon(r, "runner-lane-"
                        + (req == null ? "rejections" : req.repository()))));
        try {
            lane.execute(() -> runOnLane(admission, req, rejected, ack));
        } catch (RuntimeException e) { // lane shut down: the runner is stopping
            inProgress.remove(id);
            permits.release();
        }
    }

    private void runOnLane(Admission admission, CapsuleExecutor.Request req, EvidencePredicate rejected,
                           Supplier<CompletionStage<Void>> ack) {
        String id = admission.capsuleId();
        try {
            if (stopping.get()) {
                return;
            }
            CapsuleExecutor.Finished finished;
            if (rejected != null) {
                finished = new CapsuleExecutor.Finished(rejected, null);
            } else {
                status.started(id, req.repository());
                LOG.infof("Running capsule %s (%s) on %s at %s", id, admission.effectiveMode(), req.repository(),
                        req.workspace());
                finished = executor.run(req);
            }
            finish(id, admission.capsuleDigest(), finished);
            ack.get().whenComplete((v, e) -> {
                if (e != null) {
                    LOG.warnf("Acknowledging the admission of %s failed: %s", id, e.toString());
                }
                send(id);
            });
        } catch (RunAborted e) {
            LOG.infof("Run of capsule %s stopped (%s); its journal is recovered at the next start", id,
                    e.getMessage());
            status.abandoned(id);
        } catch (IOException | RuntimeException | Error e) {
            status.abandoned(id);
            fatal("run of capsule " + id, e);
        } finally {
            inProgress.remove(id);
            permits.release();
        }
    }

    /** Sign, spool (fsync), record as executed, remove the journal. */
    private void finish(String capsuleId, String capsuleDigest, CapsuleExecutor.Finished finished)
            throws IOException {
        EvidencePredicate p = finished.predicate();
        Envelope bundle = EvidenceBundles.sign(Statement.of(capsuleDigest, p), keys.runnerKey());
        spool.write(capsuleId, bundle.toJson());
        executed.record(new ExecutedCapsules.Entry(capsuleId, capsuleDigest, p.outcome(), p.finishedAt()));
        if (finished.journal() != null) {
            finished.journal().delete();
        }
        status.finished(capsuleId, p.outcome());
        status.spoolChanged();
        if (p.failure() != null) {
            LOG.infof("Capsule %s: %s (%s: %s)", capsuleId, p.outcome(), p.failure().reason(), p.failure().detail());
        } else {
            LOG.infof("Capsule %s: %s", capsuleId, p.outcome());
        }
    }

    /** A capsule ready to run, or why the runner rejects it before touching any workspace. */
    private record Resolved(CapsuleExecutor.Request request, String reason, String detail) {
        static Resolved rejected(String reason, String detail) {
            return new Resolved(null, reason, detail);
        }
    }

    /**
     * The capsule an admission carries, re-checked (SERVICE-CONTRACTS: the digest of the embedded capsule must be the
     * admission's {@code capsuleDigest}), and the workspace of its repository.
     */
    private Resolved resolve(Admission a) {
        Capsule capsule;
        try {
            SignedCapsule sc = SignedCapsule.fromTree(a.signedCapsule());
            Envelope envelope = sc.capsule();
            envelope.requirePayloadType(PayloadTypes.CAPSULE);
            if (!envelope.payloadDigest().equals(a.capsuleDigest())) {
                return Resolved.rejected(ReasonCode.DIGEST_MISMATCH.name(), "the admission names capsule digest "
                        + a.capsuleDigest() + " but carries a capsule whose digest is " + envelope.payloadDigest());
            }
            capsule = StrictJson.read(envelope.payloadBytes(), Capsule.class, CAPSULE_LIMITS);
        } catch (VerificationException e) {
            return Resolved.rejected(e.reason().name(), "the capsule in the admission: " + e.detail());
        }
        if (!capsule.capsuleId().equals(a.capsuleId())) {
            return Resolved.rejected(ReasonCode.DIGEST_MISMATCH.name(), "the admission is for capsule "
                    + a.capsuleId() + " but carries capsule " + capsule.capsuleId());
        }
        if (!capsule.environment().equals(a.environment())) {
            return Resolved.rejected(ReasonCode.ENVIRONMENT_MISMATCH.name(), "the admission is for environment "
                    + a.environment() + " but carries a capsule for " + capsule.environment());
        }
        String repository = capsule.target().repository();
        Path workspace = config.workspaces().get(repository);
        if (workspace == null) {
            return Resolved.rejected("NO_WORKSPACE", "no workspace is configured for repository '" + repository
                    + "' on runner " + config.id() + " (airlock.runner.workspaces.\"" + repository + "\")");
        }
        return new Resolved(new CapsuleExecutor.Request(a, capsule, repository, workspace), null, null);
    }

    /** Offers every spooled bundle to the broker (at start and then every {@code spool-retry-interval}). */
    void resendSpool() {
        try {
            for (EvidenceSpool.Item item : spool.items()) {
                if (sending.size() >= MAX_SENDING) {
                    break;
                }
                // A run still finishing has spooled its bundle but not yet recorded the capsule and removed its
                // journal; sent and deleted now, a crash right after would leave a journal without its evidence.
                if (!inProgress.contains(item.capsuleId())) {
                    send(item.capsuleId());
                }
            }
            status.spoolChanged();
        } catch (IOException | RuntimeException e) {
            LOG.warnf("Cannot read the evidence spool: %s", e.toString());
        }
    }

    private void send(String capsuleId) {
        if (stopping.get() || !sending.add(capsuleId)) {
            return;
        }
        byte[] bundle;
        try {
            bundle = spool.read(capsuleId);
        } catch (NoSuchFileException e) {
            sending.remove(capsuleId);
            return;
        } catch (IOException e) {
            sending.remove(capsuleId);
            LOG.warnf("Cannot read the spooled evidence of %s: %s", capsuleId, e.toString());
            return;
        }
        CompletionStage<Void> sent;
        try {
            sent = publisher.publish(capsuleId, PayloadTypes.IN_TOTO, bundle);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((v, e) -> {
            try {
                if (e == null) {
                    spool.delete(capsuleId);
                    LOG.debugf("Evidence of %s acknowledged by the broker", capsuleId);
                } else {
                    LOG.warnf("Evidence of %s not acknowledged by the broker (%s); it stays in the spool",
                            capsuleId, e.toString());
                }
                status.spoolChanged();
            } catch (IOException io) {
                LOG.warnf("Cannot update the evidence spool: %s", io.toString());
            } finally {
                sending.remove(capsuleId);
            }
        });
    }

    private void fatal(String what, Throwable e) {
        LOG.errorf(e, "The runner's state cannot be kept consistent (%s); stopping so that the next start recovers "
                + "from the journal", what);
        status.state(StatusReporter.State.FAILED, what + ": " + e);
        stopping.set(true);
        Quarkus.asyncExit(70);
    }

    /** Repositories configured on the same directory share a lane: one capsule at a time per workspace. */
    private static Path laneKey(Path workspace) {
        try {
            return workspace.toRealPath();
        } catch (IOException | RuntimeException e) {
            return workspace.toAbsolutePath().normalize(); // the executor reports the missing workspace
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
