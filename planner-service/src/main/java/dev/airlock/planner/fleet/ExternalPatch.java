package dev.airlock.planner.fleet;

import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.patch.FilePatch;
import dev.airlock.core.patch.PatchApplier;
import dev.airlock.core.patch.UnifiedDiff;
import dev.airlock.core.scope.RepoPath;
import dev.airlock.core.scope.Workspace;
import dev.airlock.core.verify.VerificationException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A unified diff posted by an external agent (ARCHITECTURE §8): parsed strictly ({@link UnifiedDiff}), applied
 * exactly ({@link PatchApplier}, no fuzz) to the mirror's current files, and turned into manifest hashes. A diff that
 * does not apply to the base revision is refused with {@code SCOPE_VIOLATION} naming the file and line, as the runner
 * would refuse it.
 */
public final class ExternalPatch {

    private ExternalPatch() {
    }

    public static Draft draft(Path mirror, String repository, String patch, List<Capsule.ValidationStep> validation)
            throws VerificationException, IOException {
        Workspace ws = Workspace.open(mirror);
        List<Capsule.FileChange> manifest = new ArrayList<>();
        List<String> edits = new ArrayList<>();
        for (FilePatch fp : UnifiedDiff.parse(patch).files()) {
            RepoPath path = fp.path();
            byte[] before = ws.readOrNull(path);
            byte[] after = PatchApplier.apply(before, fp);
            manifest.add(new Capsule.FileChange(path.value(), before == null ? null : Workspace.sha256(before),
                    after == null ? null : Workspace.sha256(after)));
            edits.add(path.value() + (fp.isCreation() ? " created" : fp.isDeletion() ? " deleted" : " modified"));
        }
        return new Draft(repository, Git.head(ws.root()), manifest, patch, validation, edits);
    }
}
