package dev.airlock.core.patch;

import dev.airlock.core.scope.RepoPath;

import java.util.List;

/**
 * The changes to one file. {@code oldPath} is null for a creation ({@code --- /dev/null}), {@code newPath} null for a
 * deletion ({@code +++ /dev/null}); otherwise both name the same file (renames are refused at parse). A creation or
 * deletion of an empty file has no hunks.
 */
public record FilePatch(RepoPath oldPath, RepoPath newPath, List<Hunk> hunks) {

    public FilePatch {
        hunks = List.copyOf(hunks);
        if (oldPath == null && newPath == null) {
            throw new IllegalArgumentException("a file patch names at least one side");
        }
        if (oldPath != null && newPath != null && !oldPath.equals(newPath)) {
            throw new IllegalArgumentException("a file patch cannot rename");
        }
        if (oldPath != null && newPath != null && hunks.isEmpty()) {
            throw new IllegalArgumentException("a modification has at least one hunk");
        }
    }

    /** The file this patch touches. */
    public RepoPath path() {
        return newPath != null ? newPath : oldPath;
    }

    public boolean isCreation() {
        return oldPath == null;
    }

    public boolean isDeletion() {
        return newPath == null;
    }
}
