package dev.airlock.runner.testing;

import dev.airlock.core.testing.TestPki;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real git checkout in a temporary directory, as a runner workspace: {@code pom.xml} (log4j 2.14.1, the standard
 * capsule's target), {@code validate.sh} (the validation the tests' capsules run, its first argument picks what it
 * does), {@code services/payments/App.java} and an executable {@code services/payments/run.sh}, one commit.
 */
public final class GitWorkspace {

    public static final String APP_JAVA = "class App {\n    // payments\n}\n";
    public static final String RUN_SH = "#!/bin/sh\necho run\n";

    /** What the tests' validation does, by its first argument. */
    public static final String VALIDATE_SH = """
            #!/bin/sh
            # Validation of the runner's tests; the first argument picks the behaviour.
            case "$1" in
              check) grep -q '<version>2.17.1</version>' pom.xml ;;
              before) grep -q '<version>2.14.1</version>' pom.xml ;;
              fail) echo "checking pom.xml"; echo "3 tests failed" >&2; exit 1 ;;
              sleep) sleep "$2" ;;
              tree) sleep 300 & echo $! > "$2"; wait ;;
              escape) setsid env -i sleep 300 </dev/null >/dev/null 2>&1 & echo $! > "$2" ;;
              env) env | sort ;;
              net) if bash -c "exec 3<>/dev/tcp/127.0.0.1/$2" 2>/dev/null; then echo "reached 127.0.0.1:$2"; exit 1; fi
                   echo "no network" ;;
              leave) umount /proc 2>/dev/null
                     for p in $(ls /proc); do
                       case "$p" in *[!0-9]*) continue ;; esac
                       if nsenter --net="/proc/$p/ns/net" bash -c "exec 3<>/dev/tcp/127.0.0.1/$2" 2>/dev/null; then
                         echo "reached 127.0.0.1:$2 from the network namespace of process $p"; exit 1
                       fi
                     done
                     echo "no network" ;;
              noisy) yes airlock | head -c "$2" ;;
              count) echo run >> "$2" ;;
              block) echo $$ > "$2"; while [ ! -e "$3" ]; do sleep 0.1; done ;;
              plant) mv services/payments "$2" && ln -s "$2" services/payments; exit 1 ;;
              *) echo "unknown mode $1" >&2; exit 2 ;;
            esac
            """;

    private final Path root;

    private GitWorkspace(Path root) {
        this.root = root;
    }

    public static GitWorkspace create(Path dir) {
        try {
            Files.createDirectories(dir.resolve("services/payments"));
            Files.writeString(dir.resolve("pom.xml"), TestPki.POM_BEFORE);
            Files.writeString(dir.resolve("validate.sh"), VALIDATE_SH);
            Files.writeString(dir.resolve("services/payments/App.java"), APP_JAVA);
            Path run = dir.resolve("services/payments/run.sh");
            Files.writeString(run, RUN_SH);
            Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        GitWorkspace ws = new GitWorkspace(dir);
        ws.git("init", "-q", "-b", "main");
        ws.git("add", "-A");
        ws.git("-c", "user.name=Airlock Test", "-c", "user.email=test@airlock.invalid", "commit", "-q", "-m", "init");
        return ws;
    }

    public Path root() {
        return root;
    }

    public Path path(String relative) {
        return root.resolve(relative);
    }

    public String read(String relative) {
        try {
            return Files.readString(root.resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void write(String relative, String content) {
        try {
            Files.writeString(root.resolve(relative), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code git status --porcelain}: empty when the tree equals the commit. */
    public String status() {
        return git("status", "--porcelain");
    }

    public String head() {
        return git("rev-parse", "HEAD").trim();
    }

    /** Runs git in the workspace and returns its stdout; fails the test when git fails. */
    public String git(String... args) {
        List<String> command = new ArrayList<>();
        command.add("git");
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true);
        pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        try {
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("git " + String.join(" ", args) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Every entry of the tree, {@code .git} included, with its type, permissions, modification time and content hash
     * (or link target): two equal snapshots mean a byte-identical tree that nothing rewrote.
     */
    public Map<String, String> snapshot() {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> entries = Files.walk(root)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                String perms = PosixFilePermissions.toString(Files.getPosixFilePermissions(p,
                        LinkOption.NOFOLLOW_LINKS));
                String what;
                if (a.isSymbolicLink()) {
                    what = "link " + Files.readSymbolicLink(p);
                } else if (a.isDirectory()) {
                    what = "dir " + perms + " " + a.lastModifiedTime().toMillis();
                } else {
                    what = "file " + perms + " " + a.lastModifiedTime().toMillis() + " " + sha256(Files.readAllBytes(p));
                }
                out.put(root.relativize(p).toString(), what);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    public static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
