package dev.airlock.planner;

import dev.airlock.core.testing.TestPki;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What an operator gives the planner, made for a test run in a temporary directory: the fleet's key file (TestPki's
 * deterministic {@code fleet.dependency-bump} key), the standard policy v1 signed by two roots as the initial policy,
 * and two repository mirrors as real git checkouts: {@code payments-api} pins log4j-core 2.6.1 through a version
 * property in its root {@code pom.xml}; {@code search-api} declares it in {@code modules/search/pom.xml}, outside the
 * standard policy's scope ({@code services/payments/**}, {@code pom.xml}).
 */
public class PlannerFixture implements QuarkusTestResourceLifecycleManager {

    public static final String PAYMENTS_POM = """
            <?xml version="1.0" encoding="UTF-8"?>
            <project xmlns="http://maven.apache.org/POM/4.0.0">
              <modelVersion>4.0.0</modelVersion>
              <groupId>com.gitlab.security_products.tests</groupId>
              <artifactId>java-maven</artifactId>
              <version>1.0-SNAPSHOT</version>
              <properties>
                <!-- geode-core 1.1.1 brings log4j-core in; pinned here -->
                <log4j.version>2.6.1</log4j.version>
              </properties>
              <dependencyManagement>
                <dependencies>
                  <dependency>
                    <groupId>org.apache.logging.log4j</groupId>
                    <artifactId>log4j-core</artifactId>
                    <version>${log4j.version}</version>
                  </dependency>
                </dependencies>
              </dependencyManagement>
              <dependencies>
                <dependency>
                  <groupId>org.apache.geode</groupId>
                  <artifactId>geode-core</artifactId>
                  <version>1.1.1</version>
                </dependency>
              </dependencies>
            </project>
            """;

    public static final String SEARCH_MODULE_POM = """
            <project>
              <modelVersion>4.0.0</modelVersion>
              <artifactId>search</artifactId>
              <dependencies>
                <dependency>
                  <groupId>org.apache.logging.log4j</groupId>
                  <artifactId>log4j-core</artifactId>
                  <version>2.6.1</version>
                </dependency>
              </dependencies>
            </project>
            """;

    private Path dir;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("planner-fixture-");
            TestPki pki = new TestPki();
            Path key = dir.resolve("keys").resolve("fleet.dependency-bump.key.pem");
            Files.createDirectories(key.getParent());
            Files.writeString(key, pki.of("fleet.dependency-bump").toPem(), StandardCharsets.US_ASCII);
            Path policy = dir.resolve("policy.dsse.json");
            Files.write(policy, pki.signPolicy(pki.policy(1), pki.root(1), pki.root(2)));
            Path payments = repo("payments-api", Map.of("pom.xml", PAYMENTS_POM));
            Path search = repo("search-api", Map.of("pom.xml", "<project><modules><module>modules/search</module>"
                    + "</modules></project>\n", "modules/search/pom.xml", SEARCH_MODULE_POM));
            return Map.of("airlock.planner.fleet-key", key.toString(),
                    "airlock.planner.initial-policy", policy.toString(),
                    "airlock.planner.repositories.payments-api", payments.toString(),
                    "airlock.planner.repositories.search-api", search.toString(),
                    "airlock.planner.reconcile-interval", "2s");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path repo(String name, Map<String, String> files) throws IOException {
        Path root = dir.resolve("mirrors").resolve(name);
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = root.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, f.getValue(), StandardCharsets.UTF_8);
        }
        git(root, "init", "-q");
        git(root, "add", "-A");
        git(root, "-c", "user.name=Airlock Test", "-c", "user.email=test@airlock.invalid", "-c",
                "commit.gpgsign=false", "commit", "-q", "-m", "initial");
        return root;
    }

    /** Runs git in {@code dir}; returns its trimmed standard output. */
    public static String git(Path dir, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("git", "-c", "safe.directory=*", "-C", dir.toString()));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("git " + String.join(" ", args) + " failed: " + out);
            }
            return out.trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        if (dir != null) {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temporary directory left behind is harmless
            }
        }
    }
}
