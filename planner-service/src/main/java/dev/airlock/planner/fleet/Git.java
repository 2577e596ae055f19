package dev.airlock.planner.fleet;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The one git operation the planner needs: the revision a mirror is checked out at. Runs {@code git rev-parse HEAD}
 * as a child process with an argv (no shell), no prompts and a timeout; never fetches anything.
 */
public final class Git {

    private static final Pattern SHA = Pattern.compile("^[0-9a-f]{40}([0-9a-f]{24})?$");

    private Git() {
    }

    /** {@code HEAD} of the checkout at {@code dir}, or null when {@code dir} is not a git checkout. */
    public static String head(Path dir) throws IOException {
        if (!Files.exists(dir.resolve(".git"), LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        String abs = dir.toAbsolutePath().toString();
        ProcessBuilder pb = new ProcessBuilder(List.of("git", "-c", "safe.directory=" + abs, "-C", abs,
                "rev-parse", "--verify", "HEAD"));
        pb.environment().put("GIT_TERMINAL_PROMPT", "0");
        pb.environment().remove("GIT_DIR");
        pb.environment().remove("GIT_WORK_TREE");
        pb.redirectErrorStream(true);
        pb.redirectInput(ProcessBuilder.Redirect.PIPE);
        Process p = pb.start();
        p.getOutputStream().close();
        try (InputStream in = p.getInputStream()) {
            byte[] out = in.readNBytes(4096);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("git rev-parse timed out in " + abs);
            }
            String text = new String(out, StandardCharsets.UTF_8).trim();
            if (p.exitValue() != 0 || !SHA.matcher(text).matches()) {
                throw new IOException("git rev-parse HEAD failed in " + abs + ": " + firstLine(text));
            }
            return text;
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running git", e);
        }
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        String l = nl >= 0 ? s.substring(0, nl) : s;
        return l.length() > 200 ? l.substring(0, 200) : l;
    }
}
