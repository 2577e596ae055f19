package dev.airlock.planner.fleet;

import dev.airlock.core.capsule.Capsule;

import java.util.List;

/**
 * A change ready to become a capsule: what a fleet built against a repository mirror, before policy checks, sequence
 * and signature.
 *
 * @param baseRevision the mirror's {@code HEAD} when it is a git checkout, else null
 * @param edits        one line per edit, for the summary
 */
public record Draft(String repository, String baseRevision, List<Capsule.FileChange> manifest, String patch,
                    List<Capsule.ValidationStep> validation, List<String> edits) {
    public Draft {
        manifest = List.copyOf(manifest);
        validation = List.copyOf(validation);
        edits = List.copyOf(edits);
    }
}
