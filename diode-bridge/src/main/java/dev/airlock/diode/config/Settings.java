package dev.airlock.diode.config;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Flat configuration: a properties file, overridden by environment variables {@code AIRLOCK_DIODE_<KEY>} (key upper
 * case, {@code .} and {@code -} as {@code _}). Keys under {@code kafka.} are passed to the Kafka client unchanged
 * ({@code AIRLOCK_DIODE_KAFKA_BOOTSTRAP_SERVERS} → {@code kafka.bootstrap.servers}).
 */
public final class Settings {
    public static final String ENV_PREFIX = "AIRLOCK_DIODE_";
    private final Properties props;

    public Settings(Properties props) {
        this.props = props;
    }

    public static Settings load(Path file, Map<String, String> env) throws IOException {
        Properties p = new Properties();
        if (file != null) {
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            }
        }
        for (Map.Entry<String, String> e : env.entrySet()) {
            String name = e.getKey();
            if (!name.startsWith(ENV_PREFIX) || name.equals(ENV_PREFIX + "CONFIG")) {
                continue;
            }
            String rest = name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT);
            if (rest.startsWith("kafka_")) {
                p.setProperty(rest.replace('_', '.'), e.getValue());
            } else {
                // AIRLOCK_DIODE_SEND_RATE_BYTES_PER_SEC matches send.rate-bytes-per-sec: compare normalised forms
                String match = null;
                for (String k : p.stringPropertyNames()) {
                    if (normalise(k).equals(rest)) {
                        match = k;
                    }
                }
                for (String k : Keys.ALL) {
                    if (normalise(k).equals(rest)) {
                        match = k;
                    }
                }
                p.setProperty(match != null ? match : rest, e.getValue());
            }
        }
        return new Settings(p);
    }

    static String normalise(String key) {
        return key.toLowerCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public Properties raw() {
        return props;
    }

    public String get(String key, String def) {
        String v = props.getProperty(key);
        return v == null || v.isBlank() ? def : v.trim();
    }

    public String require(String key) {
        String v = get(key, null);
        if (v == null) {
            throw new IllegalArgumentException("missing setting " + key + " (env " + ENV_PREFIX
                    + normalise(key).toUpperCase(Locale.ROOT) + ")");
        }
        return v;
    }

    public long getLong(String key, long def) {
        String v = get(key, null);
        if (v == null) {
            return def;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("setting " + key + " is not an integer");
        }
    }

    public int getInt(String key, int def) {
        long v = getLong(key, def);
        if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
            throw new IllegalArgumentException("setting " + key + " is out of range");
        }
        return (int) v;
    }

    public Path path(String key, Path def) {
        String v = get(key, null);
        return v == null ? def : Path.of(v);
    }

    public static InetSocketAddress hostPort(String key, String value) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("setting " + key + " must be host:port");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return new InetSocketAddress(host, Integer.parseInt(value.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("setting " + key + " must be host:port");
        }
    }

    /** The {@code kafka.*} keys without the prefix. */
    public Properties kafka() {
        Properties k = new Properties();
        for (String name : props.stringPropertyNames()) {
            if (name.startsWith("kafka.")) {
                k.setProperty(name.substring("kafka.".length()), props.getProperty(name));
            }
        }
        if (!k.containsKey("bootstrap.servers")) {
            throw new IllegalArgumentException("missing setting kafka.bootstrap.servers (env "
                    + ENV_PREFIX + "KAFKA_BOOTSTRAP_SERVERS)");
        }
        return k;
    }
}
