package dev.airlock.runner.domain;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The commit a git workspace has checked out ({@code beforeState.revision}), read from the repository's files rather
 * than by running git: a checkout's configuration can make git run programs (hooks, {@code core.fsmonitor}), and the
 * runner runs nothing but the capsule's validation. Returns null when the workspace is not a git checkout or the
 * revision cannot be established.
 */
public final class GitRevision {

    private static final Pattern OBJECT_ID = Pattern.compile("^[0-9a-f]{40}([0-9a-f]{24})?$");
    private static final Pattern REF = Pattern.compile("^refs/[A-Za-z0-9._/+-]{1,200}$");

    private GitRevision() {
    }

    public static String of(Path root) {
        try {
            Path dotGit = root.resolve(".git");
            Path gitDir;
            Path commonDir;
            if (Files.isDirectory(dotGit, LinkOption.NOFOLLOW_LINKS)) {
                gitDir = dotGit;
                commonDir = dotGit;
            } else if (Files.isRegularFile(dotGit, LinkOption.NOFOLLOW_LINKS)) {
                // a linked worktree: ".git" is "gitdir: <path>", the shared refs are in <gitdir>/commondir
                String pointer = read(dotGit);
                if (pointer == null || !pointer.startsWith("gitdir: ")) {
                    return null;
                }
                gitDir = root.resolve(pointer.substring("gitdir: ".length()).trim()).normalize();
                String common = read(gitDir.resolve("commondir"));
                commonDir = common == null ? gitDir : gitDir.resolve(common.trim()).normalize();
            } else {
                return null;
            }
            String head = read(gitDir.resolve("HEAD"));
            if (head == null) {
                return null;
            }
            head = head.trim();
            if (OBJECT_ID.matcher(head).matches()) {
                return head;
            }
            if (!head.startsWith("ref: ")) {
                return null;
            }
            String ref = head.substring("ref: ".length()).trim();
            if (!REF.matcher(ref).matches() || ref.contains("..")) {
                return null;
            }
            for (Path dir : new Path[] {gitDir, commonDir}) {
                String id = read(dir.resolve(ref));
                if (id != null && OBJECT_ID.matcher(id.trim()).matches()) {
                    return id.trim();
                }
            }
            String packed = read(commonDir.resolve("packed-refs"));
            if (packed != null) {
                for (String line : packed.split("\n")) {
                    String[] f = line.trim().split(" ");
                    if (f.length == 2 && f[1].equals(ref) && OBJECT_ID.matcher(f[0]).matches()) {
                        return f[0];
                    }
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String read(Path file) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.size(file) > 1024 * 1024) {
            return null;
        }
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
