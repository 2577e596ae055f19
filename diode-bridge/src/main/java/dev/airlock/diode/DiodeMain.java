package dev.airlock.diode;

import dev.airlock.core.json.StrictJson;
import dev.airlock.diode.config.ReceiverConfig;
import dev.airlock.diode.config.SenderConfig;
import dev.airlock.diode.config.Settings;
import dev.airlock.diode.receive.DiodeReceiver;
import dev.airlock.diode.send.DiodeSender;
import dev.airlock.diode.send.Resender;
import dev.airlock.diode.trust.Trust;
import dev.airlock.diode.wire.ResendRequest;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * {@code diode-bridge send | receive | resend (--range A-B | --request FILE)} with {@code --config FILE} (or
 * {@code AIRLOCK_DIODE_CONFIG}) and {@code AIRLOCK_DIODE_*} environment overrides. Exit codes: 0 done, 1 failure,
 * 2 usage or configuration error.
 */
public final class DiodeMain {
    /** How long a SIGTERM waits for the sender to close; {@code airlock down} allows 20 s before SIGKILL. */
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(15);
    private static final String USAGE = "usage: diode-bridge [--config FILE] send | receive | resend (--range A-B | --request FILE)";

    private DiodeMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.err));
    }

    static int run(String[] args, Map<String, String> env, PrintStream err) {
        configureLogging();
        Path config = env.containsKey(Settings.ENV_PREFIX + "CONFIG") ? Path.of(env.get(Settings.ENV_PREFIX + "CONFIG")) : null;
        String command = null;
        String range = null;
        Path request = null;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--config" -> config = Path.of(arg(args, ++i));
                    case "--range" -> range = arg(args, ++i);
                    case "--request" -> request = Path.of(arg(args, ++i));
                    case "send", "receive", "resend" -> command = args[i];
                    default -> throw new IllegalArgumentException(USAGE);
                }
            }
        } catch (IllegalArgumentException e) {
            err.println(USAGE);
            return 2;
        }
        if (command == null) {
            err.println(USAGE);
            return 2;
        }
        Settings settings;
        try {
            settings = Settings.load(config, env);
        } catch (IOException | IllegalArgumentException e) {
            err.println("diode-bridge: cannot read configuration: " + e.getMessage());
            return 2;
        }
        try {
            return switch (command) {
                case "send" -> send(settings);
                case "receive" -> receive(settings);
                default -> resend(settings, range, request, err);
            };
        } catch (IllegalArgumentException e) {
            err.println("diode-bridge: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            Logger.getLogger(DiodeMain.class.getName()).severe("event=failed command=" + command + " error="
                    + e.getClass().getSimpleName() + " detail=" + e.getMessage());
            return 1;
        }
    }

    private static String arg(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(USAGE);
        }
        return args[i];
    }

    private static int send(Settings settings) throws IOException {
        SenderConfig cfg = SenderConfig.from(settings);
        String pem = Files.readString(cfg.heartbeatKeyFile(), StandardCharsets.US_ASCII);
        // On SIGTERM the hook stops the loop and waits until run() has returned and close() has left the consumer
        // group: the JVM halts when its hooks end, and a member that never said goodbye stays in the group until its
        // session times out, holding the partitions away from the next sender for that long.
        CountDownLatch closed = new CountDownLatch(1);
        try (DiodeSender sender = new DiodeSender(cfg, Trust.classifier(cfg.maxValueBytes()),
                Trust.heartbeatSigner(cfg.bridgeId(), pem), Clock.systemUTC())) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                sender.stop();
                try {
                    closed.await(SHUTDOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "diode-send-shutdown"));
            sender.run();
        } finally {
            closed.countDown();
        }
        return 0;
    }

    private static int receive(Settings settings) throws IOException, InterruptedException {
        ReceiverConfig cfg = ReceiverConfig.from(settings);
        DiodeReceiver receiver = new DiodeReceiver(cfg, Trust.classifier(cfg.maxValueBytes()), Clock.systemUTC());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                receiver.close();
            } catch (IOException e) {
                // exiting
            }
        }, "diode-receive-shutdown"));
        receiver.start();
        receiver.awaitStop();
        return receiver.failure() == null ? 0 : 1;
    }

    private static int resend(Settings settings, String range, Path request, PrintStream err) throws Exception {
        SenderConfig cfg = SenderConfig.from(settings);
        long from;
        long to;
        if ((range == null) == (request == null)) {
            err.println(USAGE);
            return 2;
        }
        if (request != null) {
            ResendRequest r = StrictJson.read(Files.readAllBytes(request), ResendRequest.class,
                    new StrictJson.Limits(64 * 1024, 4, 100));
            if (!r.stream().equals(cfg.stream())) {
                err.println("diode-bridge: the request is for stream " + r.stream() + ", this sender is " + cfg.stream());
                return 2;
            }
            from = r.from();
            to = r.to();
        } else {
            String[] p = range.split("-", 2);
            try {
                from = Long.parseLong(p[0]);
                to = p.length == 2 ? Long.parseLong(p[1]) : from;
            } catch (NumberFormatException e) {
                err.println(USAGE);
                return 2;
            }
            if (from < 1 || to < from || to - from + 1 > ResendRequest.MAX_RANGE) {
                err.println("diode-bridge: bad range " + range);
                return 2;
            }
        }
        Resender.Result r = Resender.resend(cfg, Trust.classifier(cfg.maxValueBytes()), from, to);
        System.out.println(String.format(Locale.ROOT, "{\"requested\":%d,\"sent\":%d,\"unavailable\":%s}",
                r.requested(), r.sent(), r.unavailable()));
        return r.unavailable().isEmpty() ? 0 : 1;
    }

    /** One line per event on stderr, unless a logging configuration file was given. */
    private static boolean loggingConfigured;

    static synchronized void configureLogging() {
        if (loggingConfigured || System.getProperty("java.util.logging.config.file") != null) {
            return;
        }
        loggingConfigured = true;
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        ConsoleHandler h = new ConsoleHandler();
        h.setLevel(Level.ALL);
        h.setFormatter(new Formatter() {
            private final DateTimeFormatter ts = DateTimeFormatter.ISO_INSTANT.withZone(ZoneOffset.UTC);

            @Override
            public String format(LogRecord r) {
                String name = r.getLoggerName() == null ? "" : r.getLoggerName();
                return ts.format(Instant.ofEpochMilli(r.getMillis())) + " " + r.getLevel().getName() + " "
                        + name.substring(name.lastIndexOf('.') + 1) + " " + formatMessage(r).replace('\n', ' ') + "\n";
            }
        });
        root.addHandler(h);
        root.setLevel(Level.INFO);
        Logger.getLogger("org.apache.kafka").setLevel(Level.WARNING);
    }

}
