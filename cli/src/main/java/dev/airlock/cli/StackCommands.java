package dev.airlock.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Commands of ARCHITECTURE §6 that belong to later issues. They are registered so {@code --help} shows the whole
 * contract, parse their documented options, and say plainly that this build does not have them (exit 2).
 */
final class StackCommands {
    private StackCommands() {
    }

    abstract static class NotYet extends Leaf {
        abstract String willDo();

        @Override
        int execute() {
            progress("airlock %s: not available yet in this build: it will %s", spec.qualifiedName().substring(
                    "airlock ".length()), willDo());
            return ExitCodes.USAGE;
        }
    }

    @Command(name = "up", mixinStandardHelpOptions = true,
            description = "Start the local stack (two Kafka clusters, PostgreSQL, all services); returns when healthy. "
                    + "(Not available yet in this build.)")
    static final class Up extends NotYet {
        @Option(names = "--demo", description = "Seed keys, a policy, a sample repository and a finding; drive one "
                + "remediation end to end.")
        boolean demo;

        @Option(names = "--foreground", description = "Stay in the foreground and stop the stack on Ctrl-C.")
        boolean foreground;

        @Override
        String willDo() {
            return "start the local stack (two single-node Kafka clusters, PostgreSQL, every service) from Maven "
                    + "artifacts, with logs under .airlock/" + (demo ? ", then seed a demo and drive one remediation "
                    + "end to end" : "");
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Each process of the local stack, its health and log file. (Not available yet in this build.)")
    static final class Status extends NotYet {
        @Override
        String willDo() {
            return "list each process of the local stack with its health and log file";
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true,
            description = "Stop the local stack. (Not available yet in this build.)")
    static final class Down extends NotYet {
        @Override
        String willDo() {
            return "stop the local stack started by airlock up";
        }
    }

    @Command(name = "bench", mixinStandardHelpOptions = true,
            description = "End-to-end load run against the running stack, writes bench/results/e2e.json. "
                    + "(Not available yet in this build.)")
    static final class Bench extends NotYet {
        @Override
        String willDo() {
            return "run an end-to-end load test against the running stack and write bench/results/e2e.json";
        }
    }
}
