package dev.airlock.core.verify;

import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.patch.FilePatch;
import dev.airlock.core.patch.Patch;
import dev.airlock.core.policy.Policy;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.scope.RepoPath;
import dev.airlock.core.scope.Scope;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Engine stage SCOPE_VIOLATION (ARCHITECTURE §3.2 "the manifest is the scope"): every manifest path is a clean
 * relative path inside the environment's scope, and the patch touches exactly the manifest's files — creating exactly
 * those whose {@code before} is null and deleting exactly those whose {@code after} is null. Whether the patch applies to
 * the workspace is the runner's check (it sees the files; the engine does not).
 */
final class ScopeCheck {
    private ScopeCheck() {
    }

    /**
     * @param patch        the parsed patch, or null when the parser refused it for a scope reason
     * @param patchProblem that refusal (reported after the manifest's own paths were checked)
     */
    static void check(Capsule capsule, Policy.Environment env, TrustedPolicy policy, Patch patch,
                      VerificationException patchProblem) throws VerificationException {
        Scope scope = policy.scope(env);
        Map<RepoPath, Capsule.FileChange> manifest = new LinkedHashMap<>();
        for (Capsule.FileChange f : capsule.manifest().files()) {
            RepoPath p = RepoPath.of(f.path());
            scope.check(p);
            if (manifest.put(p, f) != null) {
                throw new VerificationException(ReasonCode.SCOPE_VIOLATION,
                        "manifest lists " + RepoPath.quote(f.path()) + " twice");
            }
        }
        if (patchProblem != null) {
            throw patchProblem;
        }
        Set<RepoPath> touched = new LinkedHashSet<>(patch.paths());
        for (RepoPath p : touched) {
            if (!manifest.containsKey(p)) {
                throw new VerificationException(ReasonCode.SCOPE_VIOLATION,
                        "patch touches " + RepoPath.quote(p.value()) + ", which is not in the manifest");
            }
        }
        for (Map.Entry<RepoPath, Capsule.FileChange> e : manifest.entrySet()) {
            FilePatch fp = patch.file(e.getKey()).orElseThrow(() -> new VerificationException(
                    ReasonCode.SCOPE_VIOLATION, "manifest lists " + RepoPath.quote(e.getKey().value())
                    + " but the patch does not change it"));
            boolean newFile = e.getValue().before() == null;
            boolean deleted = e.getValue().after() == null;
            if (newFile != fp.isCreation()) {
                throw new VerificationException(ReasonCode.SCOPE_VIOLATION, RepoPath.quote(e.getKey().value())
                        + (newFile ? " is new in the manifest but the patch modifies an existing file"
                        : " exists per the manifest but the patch creates it"));
            }
            if (deleted != fp.isDeletion()) {
                throw new VerificationException(ReasonCode.SCOPE_VIOLATION, RepoPath.quote(e.getKey().value())
                        + (deleted ? " is deleted in the manifest but the patch keeps it"
                        : " is kept per the manifest but the patch deletes it"));
            }
        }
    }
}
