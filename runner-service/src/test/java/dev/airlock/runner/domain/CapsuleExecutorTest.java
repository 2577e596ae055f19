package dev.airlock.runner.domain;

import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.crypto.Hex;
import dev.airlock.core.evidence.EvidencePredicate;
import dev.airlock.core.evidence.EvidencePredicate.FileDigest;
import dev.airlock.core.evidence.EvidencePredicate.RollbackRecord;
import dev.airlock.core.evidence.EvidencePredicate.ValidationResult;
import dev.airlock.core.testing.TestPki;
import dev.airlock.runner.config.RunnerConfig.NetworkIsolation;
import dev.airlock.runner.testing.Admissions;
import dev.airlock.runner.testing.Admissions.Edit;
import dev.airlock.runner.testing.GitWorkspace;
import dev.airlock.runner.testing.StepProcesses;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.airlock.runner.testing.Admissions.step;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ARCHITECTURE §7 on real git workspaces: every outcome, the workspace after it (bytes, {@code git status}), and the
 * evidence the run produced. Validation is {@code sh validate.sh <mode>} (see {@link GitWorkspace#VALIDATE_SH}).
 */
class CapsuleExecutorTest {

    private static final String PATH = "/usr/local/bin:/usr/bin:/bin";
    private static final String BEFORE = Hex.digest(TestPki.POM_BEFORE.getBytes(StandardCharsets.UTF_8));
    private static final String AFTER = Hex.digest(TestPki.POM_AFTER.getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path tmp;

    GitWorkspace ws;
    RunJournal journal;

    @BeforeEach
    void setUp() throws IOException {
        ws = GitWorkspace.create(tmp.resolve("workspace"));
        journal = new RunJournal(tmp.resolve("state/journal"));
    }

    @Test
    void passingValidationKeepsTheChangeAfterARehearsedRollback() throws IOException {
        Capsule c = Admissions.capsule("cap-applied", "payments-api", step("build", 60, "sh", "validate.sh", "check"));

        CapsuleExecutor.Finished f = run(c, "apply");
        EvidencePredicate p = f.predicate();

        assertEquals("APPLIED", p.outcome(), p::toString);
        assertNull(p.failure());
        assertEquals(TestPki.POM_AFTER, ws.read("pom.xml"));
        assertEquals(" M pom.xml\n", ws.status());
        assertEquals(new RollbackRecord(true, true, true), p.rollback());
        assertEquals(ws.head(), p.beforeState().revision());
        assertEquals(List.of(new FileDigest("pom.xml", BEFORE)), p.beforeState().files());
        assertEquals(List.of(new FileDigest("pom.xml", AFTER)), p.change().afterFiles());
        assertEquals(Hex.digest(c.change().patch().getBytes(StandardCharsets.UTF_8)), p.change().patchSha256());
        ValidationResult v = p.validation().get(0);
        assertEquals(List.of("sh", "validate.sh", "check"), v.argv());
        assertEquals(0, v.exitCode());
        assertFalse(v.timedOut());
        assertEquals("APPLIED", p.outcome());
        assertEquals("apply", p.mode());
        assertEquals(List.of("alice", "bob"), p.admission().approvers().stream()
                .map(EvidencePredicate.Approver::id).toList());

        // the journal stays until the caller has spooled the evidence
        assertTrue(Files.isRegularFile(f.journal().path().resolve("journal.log")));
        f.journal().delete();
        assertEquals(List.of(), journalEntries());
    }

    @Test
    void failingValidationRestoresTheBeforeState() throws IOException {
        Capsule c = Admissions.capsule("cap-failed", "payments-api", step("test", 60, "sh", "validate.sh", "fail"));

        EvidencePredicate p = run(c, "apply").predicate();

        assertEquals("ROLLED_BACK", p.outcome(), p::toString);
        assertEquals(new EvidencePredicate.Failure("VALIDATION_FAILED", "step test exited with 1"), p.failure());
        assertEquals(new RollbackRecord(false, true, null), p.rollback());
        assertEquals(TestPki.POM_BEFORE, ws.read("pom.xml"));
        assertEquals(BEFORE, GitWorkspace.sha256(Files.readAllBytes(ws.path("pom.xml"))));
        assertEquals("", ws.status());
        ValidationResult v = p.validation().get(0);
        assertEquals(1, v.exitCode());
        assertEquals("checking pom.xml\n", v.stdout());
        assertEquals("3 tests failed\n", v.stderr());
        assertEquals(GitWorkspace.sha256("3 tests failed\n".getBytes(StandardCharsets.UTF_8)), v.stderrSha256());
    }

    @Test
    void timeoutKillsTheWholeProcessTreeAndRollsBack() throws IOException {
        Path pidFile = tmp.resolve("sleeper.pid");
        Capsule c = Admissions.capsule("cap-timeout", "payments-api",
                step("slow", 1, "sh", "validate.sh", "tree", pidFile.toString()));

        EvidencePredicate p = run(c, "apply").predicate();

        assertEquals("ROLLED_BACK", p.outcome(), p::toString);
        assertEquals("VALIDATION_TIMEOUT", p.failure().reason());
        ValidationResult v = p.validation().get(0);
        assertTrue(v.timedOut());
        assertNull(v.exitCode());
        assertTrue(Files.exists(pidFile), "the validation had started its background child");
        assertEquals(List.of(), StepProcesses.in(ws.root()), "the validation's background child must be killed too");
        assertEquals(TestPki.POM_BEFORE, ws.read("pom.xml"));
        assertEquals("", ws.status());
    }

    @Test
    void aChildThatLeftTheSessionAndClearedItsEnvironmentDoesNotOutliveTheStep() throws Exception {
        Path pidFile = tmp.resolve("escaped.pid");
        Capsule c = Admissions.capsule("cap-escape", "payments-api",
                step("escape", 30, "sh", "validate.sh", "escape", pidFile.toString()));
        ValidationRunner validator = validator(NetworkIsolation.AUTO, 65536);
        assertTrue(validator.containsInPidNamespace(), "this host (root, or unprivileged user namespaces) gives each "
                + "step a PID namespace");

        EvidencePredicate p = new CapsuleExecutor(new EvidencePredicate.Component(Admissions.RUNNER, "test"), journal,
                validator, Clock.systemUTC(), () -> false)
                .run(new CapsuleExecutor.Request(Admissions.admitted(c, "apply"), c, "payments-api", ws.root()))
                .predicate();

        assertEquals("APPLIED", p.outcome(), p::toString);
        assertTrue(Files.exists(pidFile), "the step had started the escaping child");
        assertEquals(List.of(), StepProcesses.in(ws.root()), "a process outside the step's session and without its "
                + "run token is still the step's: its PID namespace ended with it");

        // The same script started without the runner leaves its child running: the check above can fail.
        GitWorkspace other = GitWorkspace.create(tmp.resolve("workspace-escape"));
        Process direct = new ProcessBuilder("sh", "validate.sh", "escape", tmp.resolve("direct.pid").toString())
                .directory(other.root().toFile()).start();
        assertEquals(0, direct.waitFor());
        List<Long> escaped = StepProcesses.in(other.root());
        try {
            assertEquals(1, escaped.size(), "the escaped sleep, outside any namespace");
        } finally {
            escaped.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        }
    }

    @Test
    void driftIsRejectedBeforeAnythingIsWrittenOrRun() throws IOException {
        String edited = TestPki.POM_BEFORE + "<!-- edited on the host after the capsule was admitted -->\n";
        ws.write("pom.xml", edited);
        Path counter = tmp.resolve("validation-runs");
        Capsule c = Admissions.capsule("cap-drift", "payments-api",
                step("build", 60, "sh", "validate.sh", "count", counter.toString()));

        CapsuleExecutor.Finished f = run(c, "apply");
        EvidencePredicate p = f.predicate();

        assertEquals("REJECTED", p.outcome(), p::toString);
        assertEquals("DRIFT", p.failure().reason());
        assertTrue(p.failure().detail().contains("pom.xml is " + Hex.digest(edited.getBytes(StandardCharsets.UTF_8))
                + ", the capsule expects " + BEFORE), p.failure().detail());
        assertEquals(List.of(new FileDigest("pom.xml", Hex.digest(edited.getBytes(StandardCharsets.UTF_8)))),
                p.beforeState().files());
        assertEquals(List.of(), p.validation());
        assertEquals(edited, ws.read("pom.xml"));
        assertFalse(Files.exists(counter), "no validation may run on a drifted workspace");
        assertNull(f.journal());
        assertEquals(List.of(), journalEntries());
    }

    @Test
    void manifestFileReplacedBySymlinkToOutsideIsAScopeViolation() throws IOException {
        // Same bytes outside: following the link would pass the drift check and write outside the workspace.
        Path outside = Files.createDirectories(tmp.resolve("outside")).resolve("pom.xml");
        Files.writeString(outside, TestPki.POM_BEFORE);
        Files.delete(ws.path("pom.xml"));
        Files.createSymbolicLink(ws.path("pom.xml"), outside);
        Capsule c = Admissions.capsule("cap-symlink", "payments-api", step("build", 60, "sh", "validate.sh", "check"));

        CapsuleExecutor.Finished f = run(c, "apply");

        assertEquals("REJECTED", f.predicate().outcome());
        assertEquals("SCOPE_VIOLATION", f.predicate().failure().reason());
        assertTrue(f.predicate().failure().detail().contains("symlink"), f.predicate().failure().detail());
        assertEquals(TestPki.POM_BEFORE, Files.readString(outside));
        assertTrue(Files.isSymbolicLink(ws.path("pom.xml")));
        assertEquals(List.of(), f.predicate().validation());
        assertNull(f.journal());
    }

    @Test
    void parentDirectoryReplacedBySymlinkToOutsideIsAScopeViolation() throws IOException {
        Path outside = tmp.resolve("outside-payments");
        Files.move(ws.path("services/payments"), outside);
        Files.createSymbolicLink(ws.path("services/payments"), outside);
        Capsule c = Admissions.capsule("cap-symlink-dir", "payments-api",
                List.of(new Edit("services/payments/App.java", GitWorkspace.APP_JAVA,
                        GitWorkspace.APP_JAVA.replace("payments", "payments v2"))),
                List.of(step("build", 60, "sh", "validate.sh", "check")));

        CapsuleExecutor.Finished f = run(c, "apply");

        assertEquals("REJECTED", f.predicate().outcome());
        assertEquals("SCOPE_VIOLATION", f.predicate().failure().reason());
        assertTrue(f.predicate().failure().detail().contains("goes through a symlink at \"services/payments\""),
                f.predicate().failure().detail());
        assertEquals(GitWorkspace.APP_JAVA, Files.readString(outside.resolve("App.java")));
        assertNull(f.journal());
    }

    @Test
    void observeModeValidatesTheCurrentStateAndLeavesTheTreeByteIdentical() throws IOException {
        Map<String, String> before = ws.snapshot();
        Capsule c = Admissions.capsule("cap-observe", "payments-api", step("probe", 60, "sh", "validate.sh", "before"));

        CapsuleExecutor.Finished f = run(c, "observe");
        EvidencePredicate p = f.predicate();

        assertEquals("OBSERVED", p.outcome(), p::toString);
        assertEquals("observe", p.mode());
        assertEquals(0, p.validation().get(0).exitCode(), "validation ran against the unpatched pom.xml");
        assertEquals(List.of(new FileDigest("pom.xml", AFTER)), p.change().afterFiles());
        assertEquals(new RollbackRecord(false, null, null), p.rollback());
        assertEquals(before, ws.snapshot(), "observe must not change a byte, a mode or a modification time");
        f.journal().delete();
    }

    @Test
    void patchThatDoesNotProduceTheManifestsAfterIsRejectedWithNothingWritten() throws IOException {
        Capsule base = Admissions.capsule("cap-mismatch", "payments-api",
                step("build", 60, "sh", "validate.sh", "check"));
        Capsule wrongAfter = Admissions.PKI.capsule(spec -> spec.with(s -> {
            s.capsuleId = base.capsuleId();
            s.target = base.target();
            s.patch = base.change().patch();
            s.validation = base.validation();
            s.files = List.of(new Capsule.FileChange("pom.xml", BEFORE, Hex.digest("<project/>\n".getBytes(
                    StandardCharsets.UTF_8))));
        }));
        Map<String, String> before = ws.snapshot();

        CapsuleExecutor.Finished f = run(wrongAfter, "apply");

        assertEquals("REJECTED", f.predicate().outcome());
        assertEquals("SCOPE_VIOLATION", f.predicate().failure().reason());
        assertTrue(f.predicate().failure().detail().startsWith("patch and manifest disagree"),
                f.predicate().failure().detail());
        assertEquals(before, ws.snapshot());
        assertNull(f.journal());
    }

    /** A non-blocking listener on the host's loopback: {@code accept()} returns null until something connected. */
    private static ServerSocketChannel loopbackListener() throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        try {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            server.configureBlocking(false);
            return server;
        } catch (IOException e) {
            server.close();
            throw e;
        }
    }

    @Test
    void validationHasNoNetworkWhereUnshareWorks() throws IOException {
        try (ServerSocketChannel server = loopbackListener()) {
            String port = Integer.toString(((InetSocketAddress) server.getLocalAddress()).getPort());
            Capsule c = Admissions.capsule("cap-net", "payments-api", step("net", 30, "sh", "validate.sh", "net", port));

            EvidencePredicate isolated = run(c, "apply").predicate();

            assertEquals("APPLIED", isolated.outcome(), isolated::toString);
            assertEquals(Boolean.TRUE, isolated.validation().get(0).networkIsolated());
            assertEquals("no network\n", isolated.validation().get(0).stdout());
            assertNull(server.accept(), "the isolated validation must not reach the host's loopback");

            // The same validation without isolation reaches the port: the check above can fail.
            GitWorkspace other = GitWorkspace.create(tmp.resolve("workspace-2"));
            Capsule c2 = Admissions.capsule("cap-net-off", "payments-api",
                    step("net", 30, "sh", "validate.sh", "net", port));
            EvidencePredicate open = executor(NetworkIsolation.OFF, 65536, () -> false)
                    .run(new CapsuleExecutor.Request(Admissions.admitted(c2, "apply"), c2, "payments-api",
                            other.root())).predicate();
            assertEquals("ROLLED_BACK", open.outcome(), open::toString);
            assertEquals(Boolean.FALSE, open.validation().get(0).networkIsolated());
            server.configureBlocking(true);
            assertNotNull(server.accept());
        }
    }

    /**
     * A step started by a root runner without a user namespace has the runner's capabilities: it unmounts the /proc it
     * was given, finds the host's under it and enters the network namespace of any host process. In the namespaces the
     * runner gives it, the kernel refuses that.
     */
    @Test
    void aValidationCannotLeaveItsNetworkNamespaceThroughTheHostsProc() throws Exception {
        try (ServerSocketChannel server = loopbackListener()) {
            String port = Integer.toString(((InetSocketAddress) server.getLocalAddress()).getPort());
            Capsule c = Admissions.capsule("cap-leave", "payments-api",
                    step("leave", 60, "sh", "validate.sh", "leave", port));

            EvidencePredicate p = run(c, "apply").predicate();

            assertEquals("APPLIED", p.outcome(), p::toString);
            assertEquals(Boolean.TRUE, p.validation().get(0).networkIsolated());
            assertEquals("no network\n", p.validation().get(0).stdout());
            assertNull(server.accept(), "the validation must not reach the host's loopback from any namespace");

            if (ValidationRunner.runsAsRoot()) {
                // The same step in the namespaces a root runner gave it before (no user namespace) gets out: the
                // check above can fail. (A non-root user has no such form: unshare --net needs CAP_SYS_ADMIN.)
                GitWorkspace other = GitWorkspace.create(tmp.resolve("workspace-leave"));
                Process direct = new ProcessBuilder("unshare", "--net", "--pid", "--fork", "--kill-child",
                        "--mount-proc", "--", "sh", "validate.sh", "leave", port)
                        .directory(other.root().toFile()).redirectErrorStream(true).start();
                String out = new String(direct.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertEquals(1, direct.waitFor(), out);
                assertTrue(out.startsWith("reached 127.0.0.1:" + port), out);
                server.configureBlocking(true);
                assertNotNull(server.accept());
            }
        }
    }

    @Test
    void environmentIsScrubbedAndOutputIsCappedWithTheHashOfTheFullStream() throws IOException {
        Capsule c = Admissions.capsule("cap-env", "payments-api", List.of(Admissions.pomBump()),
                List.of(step("env", 30, "sh", "validate.sh", "env"),
                        step("noisy", 30, "sh", "validate.sh", "noisy", "200000")));

        EvidencePredicate p = executor(NetworkIsolation.AUTO, 1000, () -> false)
                .run(new CapsuleExecutor.Request(Admissions.admitted(c, "apply"), c, "payments-api", ws.root()))
                .predicate();

        assertEquals("APPLIED", p.outcome(), p::toString);
        String env = p.validation().get(0).stdout();
        Set<String> names = Arrays.stream(env.split("\n")).map(l -> l.substring(0, l.indexOf('=')))
                .collect(Collectors.toCollection(TreeSet::new));
        // PWD is set by sh itself; everything else is the runner's fixed list
        assertEquals(new TreeSet<>(Set.of("AIRLOCK_RUN_TOKEN", "HOME", "LANG", "PATH", "PWD", "TMPDIR")), names);
        assertTrue(env.contains("PATH=" + PATH + "\n"), env);
        assertTrue(env.contains("LANG=C.UTF-8\n"), env);

        ValidationResult noisy = p.validation().get(1);
        byte[] full = "airlock\n".repeat(25_000).getBytes(StandardCharsets.US_ASCII);
        assertEquals(200_000, full.length);
        assertEquals(1000, noisy.stdout().length());
        assertEquals(new String(full, 0, 1000, StandardCharsets.US_ASCII), noisy.stdout());
        assertEquals(200_000L, noisy.stdoutBytes());
        assertEquals(GitWorkspace.sha256(full), noisy.stdoutSha256());
    }

    @Test
    void createdAndDeletedFilesAreRolledBackWithModesAndDirectories() throws IOException {
        Capsule c = Admissions.capsule("cap-files", "payments-api", fileEdits(),
                List.of(step("test", 60, "sh", "validate.sh", "fail")));

        EvidencePredicate p = run(c, "apply").predicate();

        assertEquals("ROLLED_BACK", p.outcome(), p::toString);
        assertEquals("", ws.status());
        assertFalse(Files.exists(ws.path("services/payments/new"), LinkOption.NOFOLLOW_LINKS),
                "directories created for a new file are removed again");
        assertEquals(GitWorkspace.RUN_SH, ws.read("services/payments/run.sh"));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                ws.path("services/payments/run.sh"))));
    }

    @Test
    void createdAndDeletedFilesSurviveTheRehearsal() throws IOException {
        Capsule c = Admissions.capsule("cap-files-ok", "payments-api", fileEdits(),
                List.of(step("build", 60, "sh", "validate.sh", "check")));

        EvidencePredicate p = run(c, "apply").predicate();

        assertEquals("APPLIED", p.outcome(), p::toString);
        assertEquals(new RollbackRecord(true, true, true), p.rollback());
        assertEquals(Set.of(" M pom.xml", " D services/payments/run.sh", "?? services/payments/new/"),
                Set.of(ws.status().split("\n")));
        assertEquals("class Feature {}\n", ws.read("services/payments/new/Feature.java"));
        assertEquals(Arrays.asList(new FileDigest("pom.xml", BEFORE),
                new FileDigest("services/payments/new/Feature.java", null),
                new FileDigest("services/payments/run.sh", GitWorkspace.sha256(GitWorkspace.RUN_SH.getBytes(
                        StandardCharsets.UTF_8)))), p.beforeState().files());
    }

    @Test
    void symlinkPlantedByTheValidationMakesTheRollbackFailRatherThanWriteOutside() throws IOException {
        Path outside = tmp.resolve("planted");
        String patched = GitWorkspace.APP_JAVA.replace("payments", "payments v2");
        Capsule c = Admissions.capsule("cap-plant", "payments-api",
                List.of(new Edit("services/payments/App.java", GitWorkspace.APP_JAVA, patched)),
                List.of(step("plant", 60, "sh", "validate.sh", "plant", outside.toString())));

        EvidencePredicate p = run(c, "apply").predicate();

        assertEquals("ROLLBACK_FAILED", p.outcome(), p::toString);
        assertEquals("ROLLBACK_UNVERIFIED", p.failure().reason());
        assertEquals(new RollbackRecord(false, false, null), p.rollback());
        assertEquals(patched, Files.readString(outside.resolve("App.java")),
                "the restore must not write through the planted symlink");
    }

    @Test
    void runStoppedDuringValidationIsRecoveredFromItsJournal() throws Exception {
        Path pidFile = tmp.resolve("blocked.pid");
        Path go = tmp.resolve("never-created");
        Capsule c = Admissions.capsule("cap-stop", "payments-api",
                step("build", 600, "sh", "validate.sh", "block", pidFile.toString(), go.toString()));
        AtomicBoolean stopping = new AtomicBoolean();
        ValidationRunner validator = validator(NetworkIsolation.AUTO, 65536);
        CapsuleExecutor executor = new CapsuleExecutor(new EvidencePredicate.Component(Admissions.RUNNER, "test"),
                journal, validator, Clock.systemUTC(), stopping::get);
        CompletableFuture<CapsuleExecutor.Finished> run = CompletableFuture.supplyAsync(() -> {
            try {
                return executor.run(new CapsuleExecutor.Request(Admissions.admitted(c, "apply"), c, "payments-api",
                        ws.root()));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(pidFile));
        assertEquals(TestPki.POM_AFTER, ws.read("pom.xml"));

        stopping.set(true);
        validator.killAll();
        Throwable cause = assertThrows(Exception.class, run::join).getCause();
        assertInstanceOf(RunAborted.class, cause);
        assertEquals(TestPki.POM_AFTER, ws.read("pom.xml"), "a stopped run leaves the workspace to the recovery");

        List<Recovery.Recovered> recovered = new Recovery(journal,
                new EvidencePredicate.Component(Admissions.RUNNER, "test"), Clock.systemUTC()).recover(id -> false);

        assertEquals(1, recovered.size());
        EvidencePredicate p = recovered.get(0).predicate();
        assertEquals("INTERRUPTED", p.outcome(), p::toString);
        assertEquals("INTERRUPTED", p.failure().reason());
        assertTrue(p.failure().detail().contains("phase VALIDATING (validation step build)"), p.failure().detail());
        assertEquals(new RollbackRecord(false, true, null), p.rollback());
        assertEquals(TestPki.POM_BEFORE, ws.read("pom.xml"));
        assertEquals("", ws.status());
        recovered.get(0).journal().delete();
        assertEquals(List.of(), journalEntries());
    }

    private static List<Edit> fileEdits() {
        return List.of(Admissions.pomBump(),
                new Edit("services/payments/new/Feature.java", null, "class Feature {}\n"),
                new Edit("services/payments/run.sh", GitWorkspace.RUN_SH, null));
    }

    private CapsuleExecutor.Finished run(Capsule c, String mode) throws IOException {
        return executor(NetworkIsolation.AUTO, 65536, () -> false)
                .run(new CapsuleExecutor.Request(Admissions.admitted(c, mode), c, "payments-api", ws.root()));
    }

    private CapsuleExecutor executor(NetworkIsolation isolation, int cap, BooleanSupplier aborted) throws IOException {
        return new CapsuleExecutor(new EvidencePredicate.Component(Admissions.RUNNER, "test"), journal,
                validator(isolation, cap), Clock.systemUTC(), aborted);
    }

    private ValidationRunner validator(NetworkIsolation isolation, int cap) throws IOException {
        return new ValidationRunner(new ValidationRunner.Settings(cap, isolation, PATH, Optional.empty(),
                Optional.empty(), Map.of(), tmp.resolve("state/home")));
    }

    private List<Path> journalEntries() throws IOException {
        try (Stream<Path> s = Files.list(journal.directory())) {
            return s.toList();
        }
    }
}
