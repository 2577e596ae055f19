package dev.airlock.deploy.stack;

import dev.airlock.core.json.StrictJson;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * {@code airlock up [--demo] [--foreground] | status | down | bench [--capsules N] [--rate R]}, run by the
 * {@code airlock} command as {@code java -cp deploy/target/... dev.airlock.deploy.stack.StackMain}. Progress on stderr,
 * one JSON object on stdout. Exit codes: 0 done and healthy, 2 usage error, 3 the stack is not (or did not get)
 * healthy, 1 a bug.
 */
public final class StackMain {
    public static final int OK = 0;
    public static final int USAGE = 2;
    public static final int FAILED = 3;

    private StackMain() {
    }

    public static void main(String[] args) {
        quietLibraries();
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        int code = run(args, System.getenv(), out, err);
        out.flush();
        err.flush();
        if (code >= 0) {
            System.exit(code);
        }
    }

    /** Kafka and the JDBC driver log to JUL through slf4j-jdk14; the user sees airlock's own lines only. */
    static void quietLibraries() {
        LogManager.getLogManager().reset();
        Logger.getLogger("").setLevel(Level.SEVERE);
        Logger.getLogger("org.apache.kafka").setLevel(Level.OFF);
    }

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println("usage: StackMain up [--demo] [--foreground] | status | down | bench [--capsules N] [--rate R]");
            return USAGE;
        }
        boolean debug = "1".equals(env.get("AIRLOCK_DEBUG"));
        Progress progress = new Progress(err);
        try {
            StackSettings settings = StackSettings.fromEnvironment(env);
            Stack stack = new Stack(settings, progress, Clock.systemUTC());
            List<String> rest = new ArrayList<>(List.of(args).subList(1, args.length));
            return switch (args[0]) {
                case "up" -> up(stack, rest, out, progress);
                case "status" -> status(stack, rest, out);
                case "down" -> down(stack, rest, out);
                case "bench" -> bench(stack, rest, out, progress);
                default -> {
                    err.println("airlock: unknown stack command '" + args[0] + "'");
                    yield USAGE;
                }
            };
        } catch (IllegalArgumentException e) {
            err.println("airlock: " + e.getMessage());
            return USAGE;
        } catch (StackException e) {
            err.println("airlock: " + e.getMessage());
            if (debug) {
                e.printStackTrace(err);
            }
            return FAILED;
        } catch (Exception e) {
            err.println("airlock: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            if (debug) {
                e.printStackTrace(err);
            } else {
                err.println("airlock: run again with AIRLOCK_DEBUG=1 for a stack trace");
            }
            return FAILED;
        }
    }

    private static int up(Stack stack, List<String> args, PrintStream out, Progress progress) throws Exception {
        boolean demo = args.remove("--demo");
        boolean foreground = args.remove("--foreground");
        if (!args.isEmpty()) {
            throw new IllegalArgumentException("unknown option for up: " + args);
        }
        Stack.Up up = stack.up();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("stack", "healthy");
        r.put("home", stack.settings().home().toString());
        r.put("alreadyRunning", up.alreadyRunning());
        r.put("startSeconds", up.took().toMillis() / 1000.0);
        r.put("processes", up.state().processes().stream().map(p -> Map.of("name", p.name(), "plane", p.plane(),
                "pid", p.pid(), "log", p.log())).toList());
        r.put("rssBytes", up.memory().rss());
        r.put("pssBytes", up.memory().pss());
        int code = OK;
        if (demo) {
            dev.airlock.deploy.demo.Demo.Report report = new dev.airlock.deploy.demo.Demo(stack.settings(), up.site(),
                    progress, Clock.systemUTC()).run();
            r.put("demo", report);
            code = report.ok() ? OK : FAILED;
        }
        out.println(new String(StrictJson.write(r), StandardCharsets.UTF_8));
        out.flush();
        if (foreground) {
            stack.attach();
        }
        return code;
    }

    private static int status(Stack stack, List<String> args, PrintStream out) throws Exception {
        if (!args.isEmpty()) {
            throw new IllegalArgumentException("status takes no options");
        }
        Stack.Status st = stack.status();
        stack.printStatus(st);
        out.println(new String(StrictJson.write(st), StandardCharsets.UTF_8));
        return st.running() && st.healthy() ? OK : FAILED;
    }

    private static int down(Stack stack, List<String> args, PrintStream out) throws Exception {
        if (!args.isEmpty()) {
            throw new IllegalArgumentException("down takes no options");
        }
        List<Stack.Stopped> stopped = stack.down();
        out.println(new String(StrictJson.write(Map.of("stopped", stopped)), StandardCharsets.UTF_8));
        return OK;
    }

    private static int bench(Stack stack, List<String> args, PrintStream out, Progress progress) throws Exception {
        int capsules = 200;
        double rate = 20;
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--capsules" -> capsules = Integer.parseInt(value(args, ++i));
                case "--rate" -> rate = Double.parseDouble(value(args, ++i));
                default -> throw new IllegalArgumentException("unknown option for bench: " + args.get(i));
            }
        }
        if (capsules < 1 || rate <= 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "--capsules must be ≥ 1 and --rate > 0"));
        }
        var result = new dev.airlock.deploy.bench.E2eBench(stack, progress, Clock.systemUTC()).run(capsules, rate);
        out.println(new String(StrictJson.write(result), StandardCharsets.UTF_8));
        return OK;
    }

    private static String value(List<String> args, int i) {
        if (i >= args.size()) {
            throw new IllegalArgumentException("missing value for " + args.get(i - 1));
        }
        return args.get(i);
    }
}
