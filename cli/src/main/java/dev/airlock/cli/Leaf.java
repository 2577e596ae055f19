package dev.airlock.cli;

import dev.airlock.core.json.StrictJson;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.Callable;

/** A command that does something. Output discipline: one JSON object on stdout, human lines on stderr. */
abstract class Leaf implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() throws Exception {
        return execute();
    }

    abstract int execute() throws Exception;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    AirlockCli.Context context() {
        return ((AirlockCli) spec.root().userObject()).context();
    }

    Clock clock() {
        return context().clock();
    }

    /** The current time to the second: signed timestamps are RFC 3339 without a fraction. */
    Instant now() {
        return clock().instant().truncatedTo(ChronoUnit.SECONDS);
    }

    /** One line of progress on stderr. */
    void progress(String format, Object... args) {
        err().println(args.length == 0 ? format : String.format(Locale.ROOT, format, args));
    }

    void warn(String message) {
        err().println(message.startsWith("warning: ") || message.startsWith("note: ") ? message : "warning: " + message);
    }

    /** The command's result: exactly one JSON object on one line of stdout. */
    void result(Object value) {
        out().println(new String(StrictJson.write(value), StandardCharsets.UTF_8));
        out().flush();
    }
}
