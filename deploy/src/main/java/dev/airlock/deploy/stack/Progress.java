package dev.airlock.deploy.stack;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/** One line per step on stderr: name, outcome, how long it took, details. */
public final class Progress {
    private final PrintStream err;

    public Progress(PrintStream err) {
        this.err = err;
    }

    public synchronized void step(String name, String outcome, Duration took, String detail) {
        err.println(String.format(Locale.ROOT, "  %-18s %-9s %6.1f s  %s", name, outcome, took.toMillis() / 1000.0, detail));
        err.flush();
    }

    public synchronized void line(String format, Object... args) {
        err.println(args.length == 0 ? format : String.format(Locale.ROOT, format, args));
        err.flush();
    }

    public static String bytes(long b) {
        if (b >= 1L << 30) {
            return String.format(Locale.ROOT, "%.2f GiB", b / 1073741824.0);
        }
        return String.format(Locale.ROOT, "%d MiB", b >> 20);
    }

    public static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
