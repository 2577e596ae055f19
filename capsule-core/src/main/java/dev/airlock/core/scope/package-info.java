/**
 * Workspace paths and the environment scope (ARCHITECTURE §3.2 "the manifest is the scope", §5 {@code SCOPE_VIOLATION},
 * SECURITY-TESTS D.22): {@link dev.airlock.core.scope.RepoPath} (a validated relative path, never normalised),
 * {@link dev.airlock.core.scope.Glob} and {@link dev.airlock.core.scope.Scope} (the policy's allow/deny rules), and
 * {@link dev.airlock.core.scope.Workspace} (symlink-free resolution and I/O under a workspace root for the runner and
 * the planner).
 */
package dev.airlock.core.scope;
