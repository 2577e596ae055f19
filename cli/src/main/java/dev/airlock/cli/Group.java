package dev.airlock.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** A command that only groups subcommands ({@code airlock capsule}): called alone, it is a usage error. */
abstract class Group implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return usageError(spec.commandLine(), "missing a subcommand");
    }

    static int usageError(CommandLine cl, String message) {
        PrintWriter err = cl.getErr();
        err.println("airlock: " + message);
        cl.usage(err, cl.getColorScheme());
        return ExitCodes.USAGE;
    }
}
