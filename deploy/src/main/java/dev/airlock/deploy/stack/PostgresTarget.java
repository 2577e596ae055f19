package dev.airlock.deploy.stack;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Where one plane's PostgreSQL is: the embedded one the stack starts, or a server given as
 * {@code postgresql://USER:PASSWORD@HOST:PORT} ({@code AIRLOCK_CONTROL_DB_URL}, {@code AIRLOCK_ENCLAVE_DB_URL}). The
 * stack creates the databases it needs there if they are missing.
 */
public record PostgresTarget(String host, int port, String user, String password, boolean embedded) {

    public static PostgresTarget embedded(int port) {
        // zonky's embedded server trusts local connections for the "postgres" superuser
        return new PostgresTarget("127.0.0.1", port, "postgres", "", true);
    }

    public static PostgresTarget parse(String url, String variable) {
        URI u;
        try {
            u = URI.create(url.startsWith("jdbc:") ? url.substring(5) : url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(variable + " is not a URL: postgresql://USER:PASSWORD@HOST:PORT expected");
        }
        if (!"postgresql".equals(u.getScheme()) || u.getHost() == null) {
            throw new IllegalArgumentException(variable + " must look like postgresql://USER:PASSWORD@HOST:PORT, got scheme '"
                    + u.getScheme() + "'");
        }
        String user = "postgres";
        String password = "";
        if (u.getRawUserInfo() != null) {
            String[] ui = u.getRawUserInfo().split(":", 2);
            user = URLDecoder.decode(ui[0], StandardCharsets.UTF_8);
            password = ui.length > 1 ? URLDecoder.decode(ui[1], StandardCharsets.UTF_8) : "";
        }
        return new PostgresTarget(u.getHost(), u.getPort() > 0 ? u.getPort() : 5432, user, password, false);
    }

    public String jdbcUrl(String database) {
        return String.format(Locale.ROOT, "jdbc:postgresql://%s:%d/%s", host, port, database);
    }

    public String reactiveUrl(String database) {
        return String.format(Locale.ROOT, "postgresql://%s:%d/%s", host, port, database);
    }

    /** For logs and status: never the password. */
    public String describe() {
        return (embedded ? "embedded PostgreSQL " : "PostgreSQL ") + user + "@" + host + ":" + port;
    }
}
