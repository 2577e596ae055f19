package dev.airlock.cli;

/**
 * A problem with what the user gave us (a missing file, an unreadable key, a document that does not parse, a wrong
 * option value): printed as one line on stderr, exit code {@link ExitCodes#USAGE}. Never carries key material.
 * Verification outcomes are not exceptions: they are verdicts on stdout with exit code {@link ExitCodes#REJECTED}.
 */
final class CliException extends Exception {
    private static final long serialVersionUID = 1L;

    CliException(String message) {
        super(message);
    }

    CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
