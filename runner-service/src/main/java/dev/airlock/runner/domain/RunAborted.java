package dev.airlock.runner.domain;

/**
 * The runner is stopping: the run ends where it is, without evidence, and its journal stays for the next start to
 * recover (an orderly stop is handled exactly like a crash, ARCHITECTURE §7 step 5).
 */
public final class RunAborted extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RunAborted(String message) {
        super(message, null, false, false);
    }
}
