package dev.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.core.testing.TestPki;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Runs {@link AirlockCli} in-process with captured stdout, stderr and exit code; the clock is fixed unless given. */
final class Cli {
    static final Clock CLOCK = TestPki.clock();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern STACK_TRACE = Pattern.compile("(?m)^\\s+at [\\w$.]+\\(|[A-Za-z]+(Exception|Error)\\b");

    private Cli() {
    }

    record Run(int exit, String out, String err) {
        /** stdout must be exactly one JSON object on one line. */
        JsonNode json() {
            String[] lines = out.strip().split("\n");
            assertEquals(1, lines.length, () -> "stdout should be one JSON line, was:\n" + out + "\nstderr:\n" + err);
            try {
                JsonNode n = JSON.readTree(lines[0]);
                assertEquals(true, n.isObject(), out);
                return n;
            } catch (IOException e) {
                throw new UncheckedIOException("stdout is not JSON: " + out, e);
            }
        }

        String verdict() {
            return json().path("verdict").asText(null);
        }

        String reason() {
            return json().path("reason").asText(null);
        }

        Run assertExit(int expected) {
            assertEquals(expected, exit, () -> "exit code; stdout:\n" + out + "\nstderr:\n" + err);
            return this;
        }

        /** Without --debug nothing a user sees looks like a stack trace. */
        Run assertNoStackTrace() {
            assertFalse(STACK_TRACE.matcher(err).find(), () -> "stderr shows a stack trace or exception name:\n" + err);
            assertFalse(STACK_TRACE.matcher(out).find(), () -> "stdout shows a stack trace or exception name:\n" + out);
            return this;
        }

        @Override
        public String toString() {
            return "exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    static Run run(String... args) {
        return run(Map.of(), CLOCK, args);
    }

    static Run run(Map<String, String> env, Clock clock, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = AirlockCli.run(args, new PrintWriter(out), new PrintWriter(err), env, clock);
        return new Run(code, out.toString(), err.toString());
    }
}
