package dev.airlock.cli;

/** Exit codes of the {@code airlock} command (ARCHITECTURE §6). */
public final class ExitCodes {
    /** Success; for {@code verify}: admitted / verified. */
    public static final int OK = 0;
    /** A bug in airlock itself (an unexpected exception); never used for anything the user can fix. */
    public static final int INTERNAL = 1;
    /** Usage or input error: wrong options, missing or unreadable files, documents that do not parse, commands not in this build. */
    public static final int USAGE = 2;
    /** Verification failed or the capsule was rejected; the verdict on stdout names the reason. */
    public static final int REJECTED = 3;

    private ExitCodes() {
    }
}
