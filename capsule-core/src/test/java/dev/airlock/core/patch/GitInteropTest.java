package dev.airlock.core.patch;

import dev.airlock.core.scope.RepoPath;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Interoperability with the real tools: {@code git diff} output (in several configurations) parses and applies to
 * exactly the files git has; {@code git apply} accepts what {@link DiffWriter} writes; GNU {@code diff -ru} output
 * parses and applies; and git's renames, mode changes, symlinks and binaries are refused.
 */
class GitInteropTest {

    @TempDir
    Path tmp;

    private Path repo;
    private final Map<String, byte[]> before = new TreeMap<>();
    private final Map<String, byte[]> after = new TreeMap<>();

    private record Result(int exit, byte[] stdout, String stderr) {
    }

    private Result run(Path dir, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        Map<String, String> env = pb.environment();
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_CONFIG_GLOBAL", "/dev/null");
        env.put("HOME", tmp.toString());
        env.put("LC_ALL", "C");
        env.put("TZ", "UTC");
        Path err = Files.createTempFile(tmp, "stderr", ".txt");
        pb.redirectError(err.toFile());
        Process process = pb.start();
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "command timed out: " + command);
        return new Result(process.exitValue(), out, Files.readString(err));
    }

    private String git(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("git", "-c", "core.quotePath=true", "-c",
                "diff.noprefix=false", "-c", "diff.mnemonicPrefix=false", "-c", "core.autocrlf=false", "-c",
                "color.ui=never", "-c", "user.name=Airlock Test", "-c", "user.email=test@airlock.invalid"));
        command.addAll(Arrays.asList(args));
        Result r = run(repo, command);
        assertEquals(0, r.exit(), "git " + String.join(" ", args) + ": " + r.stderr());
        return new String(r.stdout(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void write(Map<String, byte[]> files) throws IOException {
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            Path file = repo.resolve(e.getKey());
            if (e.getValue() == null) {
                Files.deleteIfExists(file);
            } else {
                Files.createDirectories(file.getParent());
                Files.write(file, e.getValue());
            }
        }
    }

    @BeforeEach
    void createRepository() throws IOException, InterruptedException {
        repo = Files.createDirectory(tmp.resolve("repo"));
        StringBuilder big = new StringBuilder();
        for (int i = 1; i <= 300; i++) {
            big.append("line ").append(i).append(i % 7 == 0 ? "" : " text").append('\n');
        }
        before.put("pom.xml", utf8(UnifiedDiffTest.POM));
        before.put("crlf.txt", utf8("one\r\ntwo\r\nthree\r\nfour\r\n"));
        before.put("nonl.txt", utf8("a\nb\nc"));
        before.put("addnl.txt", utf8("x\ny"));
        before.put("dropnl.txt", utf8("p\nq\n"));
        before.put("gone.txt", utf8("bye\n"));
        before.put("gone-empty.txt", new byte[0]);
        before.put("sp ace/x y.txt", utf8("space\n"));
        before.put("caf\u00e9.txt", utf8("unicode \u2603\n"));
        before.put("quo\"te.txt", utf8("q\n"));
        before.put("big.txt", utf8(big.toString()));
        before.put("unchanged.txt", utf8("same\n"));

        after.putAll(before);
        after.put("pom.xml", utf8(UnifiedDiffTest.POM.replace("2.14.1", "2.17.1")));
        after.put("crlf.txt", utf8("one\r\nTWO\r\nthree\r\nfour\r\n"));
        after.put("nonl.txt", utf8("A\nb\nc"));
        after.put("addnl.txt", utf8("x\ny\n"));
        after.put("dropnl.txt", utf8("p\nq"));
        after.put("gone.txt", null);
        after.put("gone-empty.txt", null);
        after.put("new.txt", utf8("fresh\nfile\n"));
        after.put("dir/empty.txt", new byte[0]);
        after.put("sp ace/x y.txt", utf8("space\nadded\n"));
        after.put("caf\u00e9.txt", utf8("unicode \u2603 changed\n"));
        after.put("quo\"te.txt", utf8("Q\n"));
        after.put("big.txt", utf8(big.toString().replace("line 2 text\n", "").replace("line 150 text\n",
                "line 150 edited\ninserted\n").replace("line 299 text\n", "line 299 last edit\n")));

        git("init", "-q");
        write(before);
        git("add", "-A");
        git("commit", "-q", "-m", "before");
    }

    private Set<RepoPath> changedPaths() throws VerificationException {
        Set<RepoPath> out = new TreeSet<>();
        for (String path : after.keySet()) {
            if (!Arrays.equals(before.get(path), after.get(path))) {
                out.add(RepoPath.of(path));
            }
        }
        return out;
    }

    private void assertAppliesToAfter(Patch patch) throws VerificationException {
        assertEquals(changedPaths(), new TreeSet<>(patch.paths()));
        for (FilePatch file : patch.files()) {
            String path = file.path().value();
            byte[] result = PatchApplier.apply(before.get(path), file);
            if (after.get(path) == null) {
                assertNull(result, path);
            } else {
                assertArrayEquals(after.get(path), result, path);
            }
        }
    }

    @Test
    void gitDiffOfEveryKindOfTextChangeAppliesToExactlyWhatGitHas() throws Exception {
        write(after);
        git("add", "-A");
        List<List<String>> variants = List.of(List.of(), List.of("-U0"), List.of("-U1"), List.of("-U10"),
                List.of("--no-prefix"), List.of("--diff-algorithm=patience"), List.of("--diff-algorithm=histogram"),
                List.of("--full-index"));
        for (List<String> variant : variants) {
            List<String> args = new ArrayList<>(List.of("diff", "--cached", "--no-renames", "--no-ext-diff",
                    "--no-color"));
            args.addAll(variant);
            String diff = git(args.toArray(String[]::new));
            assertAppliesToAfter(UnifiedDiff.parse(diff));
        }
    }

    @Test
    void gitApplyAcceptsWhatDiffWriterWrites() throws Exception {
        StringBuilder patch = new StringBuilder();
        for (RepoPath path : changedPaths()) {
            patch.append(DiffWriter.unifiedDiff(path, before.get(path.value()), after.get(path.value()), 3));
        }
        assertAppliesToAfter(UnifiedDiff.parse(patch.toString()));
        Path file = tmp.resolve("writer.patch");
        Files.writeString(file, patch.toString());
        git("apply", "--check", file.toString());
        git("apply", file.toString());
        for (Map.Entry<String, byte[]> e : after.entrySet()) {
            Path f = repo.resolve(e.getKey());
            if (e.getValue() == null) {
                assertFalse(Files.exists(f), e.getKey());
            } else {
                assertArrayEquals(e.getValue(), Files.readAllBytes(f), e.getKey());
            }
        }
        // And git sees exactly the intended change set.
        git("add", "-A");
        Set<String> staged = Arrays.stream(git("-c", "core.quotePath=false", "diff", "--cached", "--no-renames",
                "--name-only", "-z").split("\0")).filter(s -> !s.isEmpty()).collect(Collectors.toCollection(
                TreeSet::new));
        assertEquals(changedPaths().stream().map(RepoPath::value).collect(Collectors.toCollection(TreeSet::new)),
                staged);
    }

    @Test
    void gnuDiffRecursiveOutputParsesAndApplies() throws Exception {
        Path a = Files.createDirectories(tmp.resolve("gnu/a"));
        Path b = Files.createDirectories(tmp.resolve("gnu/b"));
        Files.writeString(a.resolve("pom.xml"), UnifiedDiffTest.POM);
        Files.writeString(b.resolve("pom.xml"), UnifiedDiffTest.POM.replace("2.14.1", "2.17.1"));
        Files.createDirectories(a.resolve("src"));
        Files.createDirectories(b.resolve("src"));
        Files.writeString(a.resolve("src/app.properties"), "x=1\r\ny=2\r\n");
        Files.writeString(b.resolve("src/app.properties"), "x=1\r\ny=3\r\n");
        Result r = run(tmp.resolve("gnu"), List.of("diff", "-ru", "a", "b"));
        assertEquals(1, r.exit(), r.stderr()); // 1: differences found
        Patch patch = UnifiedDiff.parse(new String(r.stdout(), StandardCharsets.UTF_8));
        assertArrayEquals(Files.readAllBytes(b.resolve("pom.xml")), PatchApplier.apply(
                Files.readAllBytes(a.resolve("pom.xml")), patch.file(RepoPath.of("pom.xml")).orElseThrow()));
        assertArrayEquals(Files.readAllBytes(b.resolve("src/app.properties")), PatchApplier.apply(
                Files.readAllBytes(a.resolve("src/app.properties")),
                patch.file(RepoPath.of("src/app.properties")).orElseThrow()));

        // diff -N marks a new file with an epoch timestamp instead of /dev/null: read as a change to an existing
        // file, so applying it where the file does not exist is refused, not silently turned into a creation.
        Files.writeString(b.resolve("new.txt"), "new\n");
        Result n = run(tmp.resolve("gnu"), List.of("diff", "-ruN", "a", "b"));
        Patch withNew = UnifiedDiff.parse(new String(n.stdout(), StandardCharsets.UTF_8));
        VerificationException e = assertThrows(VerificationException.class,
                () -> PatchApplier.apply(null, withNew.file(RepoPath.of("new.txt")).orElseThrow()));
        assertEquals(ReasonCode.SCOPE_VIOLATION, e.reason());
    }

    private VerificationException refusedDiff(String... diffArgs) throws Exception {
        List<String> args = new ArrayList<>(List.of("diff", "--no-ext-diff", "--no-color"));
        args.addAll(Arrays.asList(diffArgs));
        String diff = git(args.toArray(String[]::new));
        assertFalse(diff.isEmpty());
        return assertThrows(VerificationException.class, () -> UnifiedDiff.parse(diff));
    }

    @Test
    void gitRenameIsRefused() throws Exception {
        git("mv", "pom.xml", "pom-moved.xml");
        VerificationException e = refusedDiff("--cached", "-M");
        assertEquals(ReasonCode.SCOPE_VIOLATION, e.reason());
        assertTrue(e.detail().contains("rename or copy"), e.detail());
    }

    @Test
    void gitModeChangeIsRefused() throws Exception {
        Files.setPosixFilePermissions(repo.resolve("big.txt"), PosixFilePermissions.fromString("rwxr-xr-x"));
        VerificationException e = refusedDiff();
        assertEquals(ReasonCode.SCOPE_VIOLATION, e.reason());
        assertTrue(e.detail().contains("file mode change is not allowed"), e.detail());
    }

    @Test
    void gitExecutableNewFileIsRefused() throws Exception {
        Path script = repo.resolve("run.sh");
        Files.writeString(script, "echo hi\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        git("add", "run.sh");
        VerificationException e = refusedDiff("--cached");
        assertEquals(ReasonCode.SCOPE_VIOLATION, e.reason());
        assertTrue(e.detail().contains("executable file mode 100755"), e.detail());
    }

    @Test
    void gitSymlinkIsRefused() throws Exception {
        Files.createSymbolicLink(repo.resolve("link"), Path.of("/etc/passwd"));
        git("add", "link");
        VerificationException e = refusedDiff("--cached");
        assertEquals(ReasonCode.SCOPE_VIOLATION, e.reason());
        assertTrue(e.detail().contains("symlink mode 120000"), e.detail());
    }

    @Test
    void gitBinaryIsRefusedWithAndWithoutBinaryPatches() throws Exception {
        Files.write(repo.resolve("logo.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 13, 1, 2, 3});
        git("add", "logo.png");
        for (String[] args : new String[][] {{"--cached"}, {"--cached", "--binary"}}) {
            VerificationException e = refusedDiff(args);
            assertEquals(ReasonCode.SCOPE_VIOLATION, e.reason());
            assertTrue(e.detail().contains("binary patch is not allowed"), e.detail());
        }
    }
}
