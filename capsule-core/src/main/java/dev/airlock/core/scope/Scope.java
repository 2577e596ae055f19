package dev.airlock.core.scope;

import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An environment's scope from the policy ({@code environments[].scope}): {@code allow} and {@code deny} pattern lists.
 * Deny wins; nothing is allowed unless an allow pattern matches (an empty allow list permits nothing).
 */
public final class Scope {

    private final List<Glob> allow;
    private final List<Glob> deny;

    private Scope(List<Glob> allow, List<Glob> deny) {
        this.allow = allow;
        this.deny = deny;
    }

    /** Compiles a policy scope; {@link ReasonCode#POLICY_INVALID} for a missing list or any bad pattern. */
    public static Scope of(List<String> allow, List<String> deny) throws VerificationException {
        if (allow == null || deny == null) {
            throw new VerificationException(ReasonCode.POLICY_INVALID, "scope needs both allow and deny lists");
        }
        return new Scope(compileAll(allow), compileAll(deny));
    }

    private static List<Glob> compileAll(List<String> patterns) throws VerificationException {
        List<Glob> out = new ArrayList<>(patterns.size());
        for (String p : patterns) {
            out.add(Glob.compile(p));
        }
        return List.copyOf(out);
    }

    public List<String> allow() {
        return allow.stream().map(Glob::pattern).toList();
    }

    public List<String> deny() {
        return deny.stream().map(Glob::pattern).toList();
    }

    /** Whether the path is inside the scope: no deny pattern matches and some allow pattern does. */
    public boolean permits(RepoPath path) {
        return refusal(path).isEmpty();
    }

    /**
     * Throws {@link ReasonCode#SCOPE_VIOLATION} naming the path and the rule that refused it when the path is outside
     * the scope.
     */
    public void check(RepoPath path) throws VerificationException {
        Optional<String> refusal = refusal(path);
        if (refusal.isPresent()) {
            throw new VerificationException(ReasonCode.SCOPE_VIOLATION, refusal.get());
        }
    }

    private Optional<String> refusal(RepoPath path) {
        Objects.requireNonNull(path, "path");
        for (Glob g : deny) {
            if (g.matches(path)) {
                return Optional.of("path " + RepoPath.quote(path.value()) + " is denied by scope rule "
                        + RepoPath.quote(g.pattern()));
            }
        }
        for (Glob g : allow) {
            if (g.matches(path)) {
                return Optional.empty();
            }
        }
        return Optional.of("path " + RepoPath.quote(path.value()) + " matches no allow rule of the scope "
                + allow.stream().map(g -> RepoPath.quote(g.pattern())).toList());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Scope s && s.allow.equals(allow) && s.deny.equals(deny);
    }

    @Override
    public int hashCode() {
        return Objects.hash(allow, deny);
    }

    @Override
    public String toString() {
        return "Scope[allow=" + allow + ", deny=" + deny + "]";
    }
}
