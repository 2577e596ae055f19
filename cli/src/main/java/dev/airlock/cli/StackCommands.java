package dev.airlock.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;

/**
 * The local stack's commands of ARCHITECTURE §6: {@code up}, {@code status}, {@code down}, {@code bench}, run through
 * {@link StackLauncher} (the lifecycle itself is {@code dev.airlock.deploy.stack} in the deploy module).
 */
final class StackCommands {
    private StackCommands() {
    }

    /** Commands that run the local stack through {@link StackLauncher}: the stack's own output passes through. */
    abstract static class StackLeaf extends Leaf {
        abstract String command();

        List<String> arguments() {
            return List.of();
        }

        boolean build() {
            return false;
        }

        @Override
        int execute() throws CliException {
            return new StackLauncher(System.getenv(), out(), err()).run(command(), arguments(), build());
        }
    }

    @Command(name = "up", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Start the local stack: two single-node Kafka clusters (control, enclave), PostgreSQL per plane "
                    + "and every service as its own process, wired only through the diode. Builds what is missing first. "
                    + "Returns once everything is healthy and leaves the stack running in the background; again reuses "
                    + "its data.",
                    "State and logs in .airlock/ (AIRLOCK_HOME); ports move with AIRLOCK_PORT_BASE=N (N..N+9)."})
    static final class Up extends StackLeaf {
        @Option(names = "--demo", description = "Then seed a demo: a sample repository with a vulnerable dependency, a "
                + "finding and SBOM, two approvals (web page API and CLI), one remediation end to end, one tampered "
                + "capsule rejected; prints a report.")
        boolean demo;

        @Option(names = "--foreground", description = "Stay attached; Ctrl-C stops the stack.")
        boolean foreground;

        @Override
        String command() {
            return "up";
        }

        @Override
        List<String> arguments() {
            List<String> a = new java.util.ArrayList<>();
            if (demo) {
                a.add("--demo");
            }
            if (foreground) {
                a.add("--foreground");
            }
            return a;
        }

        @Override
        boolean build() {
            return true;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Each process of the local stack: plane, pid, health, memory (RSS) and log file. Exit 0 when "
                    + "all are healthy, 3 otherwise.")
    static final class Status extends StackLeaf {
        @Override
        String command() {
            return "status";
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true,
            description = "Stop the local stack: services first, then brokers and databases (SIGTERM, then SIGKILL after "
                    + "a grace period). Keeps the data; safe to run twice.")
    static final class Down extends StackLeaf {
        @Override
        String command() {
            return "down";
        }
    }

    @Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
            description = "End-to-end load run against the running stack: N capsules from approval to logged evidence; "
                    + "throughput, latency p50/p99 (validation time excluded) and the same run's gateway-engine rate as "
                    + "the reference. Writes bench/results/e2e.json.")
    static final class Bench extends StackLeaf {
        @Option(names = "--capsules", paramLabel = "N", defaultValue = "200", description = "Capsules to run (default 200).")
        int capsules;

        @Option(names = "--rate", paramLabel = "R", defaultValue = "20", description = "Approvals per second offered (default 20).")
        double rate;

        @Override
        String command() {
            return "bench";
        }

        @Override
        List<String> arguments() {
            return List.of("--capsules", Integer.toString(capsules), "--rate", Double.toString(rate));
        }
    }
}
