package dev.airlock.deploy.demo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The demo's sample repository {@code payments-api}: a control-side mirror the planner reads
 * ({@code .airlock/demo/mirror/payments-api}, a git repository) and the runner's workspace inside the enclave
 * ({@code .airlock/demo/enclave/payments-api}, a {@code git clone} of it). Both local, no network.
 */
public final class SampleRepo {
    static final String NAME = "payments-api";
    private static final List<String> FILES = List.of("pom.xml", "validate.sh", "README.md",
            "src/main/java/com/example/payments/PaymentsApi.java");

    private final Path mirror;
    private final Path workspace;

    public SampleRepo(Path demoDir) {
        this.mirror = demoDir.resolve("mirror").resolve(NAME);
        this.workspace = demoDir.resolve("enclave").resolve(NAME);
    }

    Path mirror() {
        return mirror;
    }

    public Path workspace() {
        return workspace;
    }

    /**
     * Creates the mirror on first use; clones the workspace, or resets it to the mirror's revision so that every demo
     * run starts from the vulnerable state (a previous run's applied change is discarded).
     *
     * @return the mirror's revision
     */
    public String ensure() throws IOException, InterruptedException {
        if (!Files.isDirectory(mirror.resolve(".git"))) {
            Files.createDirectories(mirror);
            for (String f : FILES) {
                Path target = mirror.resolve(f);
                Files.createDirectories(target.getParent());
                try (InputStream in = SampleRepo.class.getResourceAsStream("/demo/payments-api/" + f)) {
                    if (in == null) {
                        throw new IOException("demo resource /demo/payments-api/" + f + " is missing from the build");
                    }
                    Files.write(target, in.readAllBytes());
                }
            }
            Files.setPosixFilePermissions(mirror.resolve("validate.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
            git(mirror, "init", "-q", "-b", "main");
            git(mirror, "add", "-A");
            git(mirror, "-c", "user.name=Airlock demo", "-c", "user.email=demo@airlock.invalid", "commit", "-q", "-m",
                    "payments-api 1.0.0");
        }
        if (!Files.isDirectory(workspace.resolve(".git"))) {
            Files.createDirectories(workspace.getParent());
            git(workspace.getParent(), "clone", "-q", mirror.toString(), workspace.getFileName().toString());
        } else {
            git(workspace, "fetch", "-q", "origin");
            git(workspace, "reset", "-q", "--hard", "origin/main");
            git(workspace, "clean", "-q", "-f", "-d");
        }
        return git(mirror, "rev-parse", "HEAD").strip();
    }

    /** The {@code log4j-core} version a {@code pom.xml} names (what validate.sh reads). */
    static String log4jVersion(Path repo) throws IOException {
        String pom = Files.readString(repo.resolve("pom.xml"), StandardCharsets.UTF_8);
        int i = pom.indexOf("<artifactId>log4j-core</artifactId>");
        if (i < 0) {
            return "?";
        }
        int v = pom.indexOf("<version>", i);
        int e = pom.indexOf("</version>", v);
        return v < 0 || e < 0 ? "?" : pom.substring(v + "<version>".length(), e).strip();
    }

    static String git(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("git");
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("GIT_TERMINAL_PROMPT", "0");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException("the demo needs git on PATH (to keep the sample repository): " + e.getMessage(), e);
        }
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.format(Locale.ROOT, "git %s in %s failed: %s", String.join(" ", args), dir,
                    new String(out, StandardCharsets.UTF_8).strip()));
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
