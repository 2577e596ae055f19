package dev.airlock.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

/**
 * The {@code airlock} command (ARCHITECTURE §6). Exit codes: {@code 0} success or admitted, {@code 3} verification
 * failed or rejected, {@code 2} usage or input error ({@code 1} only for a bug in airlock itself). A verdict is exactly
 * one JSON object on stdout; progress, warnings and errors go to stderr, one line each, never a stack trace unless
 * {@code --debug} or {@code AIRLOCK_DEBUG=1} asks for one.
 */
@Command(name = "airlock", mixinStandardHelpOptions = true, versionProvider = AirlockCli.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = {"Governed remediation for regulated and air-gapped environments: keys, signed policies, "
                + "signed capsules and approvals, verification with the same engine as the enclave gateway, "
                + "evidence checks.", ""},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  success: written, admitted, verified",
                "  2  usage or input error: options, missing or unreadable files, documents that do not parse",
                "  3  rejected: stdout holds {\"verdict\":\"rejected\",\"reason\":CODE,\"detail\":...}",
                "", "AIRLOCK_DEBUG=1 (or --debug) prints a stack trace with an error."},
        subcommands = {KeysCommand.class, PolicyCommand.class, CapsuleCommand.class, EvidenceCommand.class,
                StackCommands.Up.class, StackCommands.Status.class, StackCommands.Down.class, StackCommands.Bench.class})
public final class AirlockCli implements Callable<Integer> {

    /** What a command needs from its surroundings; injected so tests fix the clock. */
    record Context(Clock clock, boolean debug) {
    }

    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "Print a stack trace with an error (also AIRLOCK_DEBUG=1).")
    boolean debugOption;

    private final Context context;

    AirlockCli(Context context) {
        this.context = context;
    }

    Context context() {
        return context;
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        // `airlock` alone: show what exists, as a usage error (nothing was done).
        return Group.usageError(spec.commandLine(), "missing a command");
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        int code = run(args, out, err, System.getenv(), Clock.systemUTC(), Help.Ansi.AUTO);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs one command line in-process (the entry point of tests); returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env, Clock clock) {
        return run(args, out, err, env, clock, Help.Ansi.OFF);
    }

    static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env, Clock clock,
                   Help.Ansi ansi) {
        // Decided before parsing so that a parse failure can also be debugged.
        boolean debug = Arrays.asList(args).contains("--debug") || isTrue(env.get("AIRLOCK_DEBUG"));
        try {
            CommandLine cl = new CommandLine(new AirlockCli(new Context(clock, debug)));
            cl.setOut(out);
            cl.setErr(err);
            cl.setColorScheme(Help.defaultColorScheme(ansi));
            cl.setParameterExceptionHandler(AirlockCli::onParameterError);
            cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> onError(ex, cmd.getErr(), debug));
            return cl.execute(args);
        } catch (Throwable t) { // errors outside picocli's handlers (OutOfMemoryError, a failure while printing)
            return onError(t, err, debug);
        } finally {
            out.flush();
            err.flush();
        }
    }

    private static boolean isTrue(String v) {
        return v != null && (v.equals("1") || v.equalsIgnoreCase("true") || v.equalsIgnoreCase("yes"));
    }

    private static int onParameterError(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("airlock: " + ex.getMessage());
        if (!UnmatchedArgumentException.printSuggestions(ex, err)) {
            err.print(cmd.getHelp().synopsis(0));
        }
        err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
        return ExitCodes.USAGE;
    }

    static int onError(Throwable ex, PrintWriter err, boolean debug) {
        if (ex instanceof CliException) {
            err.println("airlock: " + ex.getMessage());
            if (debug && ex.getCause() != null) {
                ex.getCause().printStackTrace(err);
            }
            return ExitCodes.USAGE;
        }
        err.println("airlock: internal error: " + ex.getClass().getName()
                + (ex.getMessage() == null ? "" : ": " + firstLine(ex.getMessage())));
        if (debug) {
            ex.printStackTrace(err);
        } else {
            err.println("airlock: this is a bug in airlock; run again with AIRLOCK_DEBUG=1 for a stack trace and report it");
        }
        return ExitCodes.INTERNAL;
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** {@code airlock --version}: the build's version, from a resource filtered at build time. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"airlock " + version(),
                    String.format(Locale.ROOT, "Java %s (%s)", System.getProperty("java.version"),
                            System.getProperty("java.vendor"))};
        }

        static String version() {
            try (InputStream in = AirlockCli.class.getResourceAsStream("version.properties")) {
                if (in == null) {
                    return "unknown";
                }
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "unknown");
            } catch (IOException e) {
                return "unknown";
            }
        }
    }
}
