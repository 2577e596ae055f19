package dev.airlock.core.patch;

import dev.airlock.core.scope.RepoPath;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** A parsed multi-file unified diff: at least one file, each file at most once. */
public record Patch(List<FilePatch> files) {

    public Patch {
        files = List.copyOf(files);
        if (files.isEmpty()) {
            throw new IllegalArgumentException("a patch touches at least one file");
        }
        Set<RepoPath> seen = new LinkedHashSet<>();
        for (FilePatch f : files) {
            if (!seen.add(f.path())) {
                throw new IllegalArgumentException("a patch touches each file once");
            }
        }
    }

    /**
     * Every path the patch touches, in patch order, so the engine can check it equals the manifest's file list
     * exactly (a patch/manifest mismatch is {@code SCOPE_VIOLATION}).
     */
    public Set<RepoPath> paths() {
        Set<RepoPath> out = new LinkedHashSet<>();
        files.forEach(f -> out.add(f.path()));
        return Collections.unmodifiableSet(out);
    }

    /** The patch for one file, if the patch touches it. */
    public Optional<FilePatch> file(RepoPath path) {
        return files.stream().filter(f -> f.path().equals(path)).findFirst();
    }
}
