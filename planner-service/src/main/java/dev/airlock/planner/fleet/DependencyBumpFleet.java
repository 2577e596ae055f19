package dev.airlock.planner.fleet;

import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.patch.DiffWriter;
import dev.airlock.core.scope.RepoPath;
import dev.airlock.core.scope.Workspace;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;
import dev.airlock.planner.domain.Purl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The built-in {@code dependency-bump} fleet (ARCHITECTURE §8): for a vulnerable Maven or npm dependency with a known
 * fixed version, rewrites every manifest of the repository mirror that declares it ({@code pom.xml} /
 * {@code package.json}, anywhere but build output and {@code node_modules}), and builds the unified diff
 * ({@link DiffWriter}), the manifest hashes ({@link Workspace#sha256(byte[])}) and the validation argv
 * ({@link ValidationChooser}). Files are read through {@link Workspace}, so a symlink or a hard link in the mirror
 * refuses the run instead of being followed. Policy checks are {@link ProposalGuard}'s job.
 */
public final class DependencyBumpFleet {

    private static final Set<String> SKIP_DIRS = Set.of(".git", "node_modules", "target", "build", ".idea");

    private DependencyBumpFleet() {
    }

    public static Draft draft(Path mirror, String repository, Purl component, String fixedVersion,
                              List<List<String>> allowedCommands, int timeoutSeconds)
            throws FleetRefusal, IOException {
        if (fixedVersion == null) {
            throw new FleetRefusal("NO_FIX_AVAILABLE", "no fixed version is known for " + component);
        }
        String kind = switch (component.type()) {
            case "maven" -> "maven";
            case "npm" -> "npm";
            default -> throw new FleetRefusal("UNSUPPORTED_ECOSYSTEM", "the dependency-bump fleet handles Maven and"
                    + " npm dependencies, not " + component.type());
        };
        if ("maven".equals(kind) && component.namespace() == null) {
            throw new FleetRefusal("NOT_DECLARED", "the finding does not name the Maven groupId of "
                    + component.name());
        }
        Workspace ws;
        try {
            ws = Workspace.open(mirror);
        } catch (VerificationException e) {
            throw FleetRefusal.of(e);
        }
        String manifestName = "maven".equals(kind) ? "pom.xml" : "package.json";
        List<Capsule.FileChange> manifest = new ArrayList<>();
        StringBuilder patch = new StringBuilder();
        List<String> edits = new ArrayList<>();
        FleetRefusal firstRefusal = null;
        for (RepoPath path : find(ws.root(), manifestName)) {
            try {
                byte[] before = ws.readOrNull(path);
                if (before == null) {
                    continue;
                }
                String text = utf8(before, path);
                PomRewriter.Result r = "maven".equals(kind)
                        ? PomRewriter.bump(text, component.namespace(), component.name(), component.version(),
                        fixedVersion)
                        : PackageJsonRewriter.bump(text, npmName(component), component.version(), fixedVersion);
                if (r == null) {
                    continue;
                }
                byte[] after = r.content().getBytes(StandardCharsets.UTF_8);
                manifest.add(new Capsule.FileChange(path.value(), Workspace.sha256(before), Workspace.sha256(after)));
                patch.append(DiffWriter.unifiedDiff(path, before, after, 3));
                r.edits().forEach(e -> edits.add(path.value() + " " + e));
            } catch (VerificationException e) {
                throw FleetRefusal.of(e);
            } catch (FleetRefusal e) {
                firstRefusal = firstRefusal == null ? e : firstRefusal;
            }
        }
        if (manifest.isEmpty()) {
            if (firstRefusal != null) {
                throw firstRefusal;
            }
            throw new FleetRefusal("NOT_DECLARED", component.coordinates() + " is not declared in any "
                    + manifestName + " of repository " + repository + " (a transitive dependency: pin it by hand or"
                    + " through an external agent)");
        }
        Capsule.ValidationStep step = ValidationChooser.choose(allowedCommands, kind, name -> {
            try {
                return ws.exists(RepoPath.of(name));
            } catch (VerificationException | IOException e) {
                return false;
            }
        }, timeoutSeconds).orElseThrow(() -> FleetRefusal.of(ReasonCode.COMMAND_NOT_ALLOWED,
                "no validationCommands prefix of the environment fits a " + kind + " repository " + allowedCommands));
        return new Draft(repository, Git.head(ws.root()), manifest, patch.toString(), List.of(step), edits);
    }

    private static String npmName(Purl p) {
        return p.namespace() == null ? p.name() : p.namespace() + "/" + p.name();
    }

    private static String utf8(byte[] bytes, RepoPath path) throws FleetRefusal {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new FleetRefusal("NOT_DECLARED", path.value() + " is not UTF-8 text");
        }
    }

    /** Every regular file named {@code name} under {@code root}, skipping VCS, build output and installed packages. */
    static List<RepoPath> find(Path root, String name) throws IOException {
        List<RepoPath> out = new ArrayList<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return !dir.equals(root) && SKIP_DIRS.contains(dir.getFileName().toString())
                        ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (file.getFileName().toString().equals(name)) {
                    String rel = root.relativize(file).toString().replace(java.io.File.separatorChar, '/');
                    try {
                        out.add(RepoPath.of(rel));
                    } catch (VerificationException e) {
                        // a name no capsule could carry is not a manifest we can bump
                    }
                }
                return FileVisitResult.CONTINUE;
            }
        });
        out.sort(null);
        return out;
    }
}
