package dev.airlock.deploy.stack;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The built artifacts the stack runs, found under the source checkout. */
public record Artifacts(Path root) {

    public static final List<String> SERVICES = List.of("planner-service", "approval-service", "gateway-service",
            "runner-service", "evidence-service");

    public Path quarkusRunJar(String module) {
        return root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
    }

    /** {@code deploy/target/deploy-*.jar} plus {@code deploy/target/lib/*}. */
    public String deployClasspath() throws IOException {
        Path jar = moduleJar("deploy").orElseThrow(() -> new IOException("deploy/target/deploy-*.jar is missing: "
                + "run ./airlock up (it builds what is missing) or ./mvnw -B package -DskipTests"));
        return jar + java.io.File.pathSeparator + root.resolve("deploy/target/lib") + java.io.File.separator + "*";
    }

    /** The runnable diode-bridge jar (its dependencies beside it in {@code lib/}), when this build has one. */
    public Optional<Path> diodeJar() {
        return moduleJar("diode-bridge").filter(j -> Files.isDirectory(j.resolveSibling("lib")));
    }

    Optional<Path> moduleJar(String module) {
        Path target = root.resolve(module).resolve("target");
        if (!Files.isDirectory(target)) {
            return Optional.empty();
        }
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(target, module + "-*.jar")) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (!n.endsWith("-tests.jar") && !n.endsWith("-sources.jar") && !n.endsWith("-javadoc.jar")) {
                    found.add(p);
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return found.stream().findFirst();
    }

    /** What is missing for the stack to run, as paths relative to the checkout (empty when all is built). */
    public List<String> missing() {
        List<String> m = new ArrayList<>();
        for (String s : SERVICES) {
            if (!Files.isRegularFile(quarkusRunJar(s))) {
                m.add(root.relativize(quarkusRunJar(s)).toString());
            }
        }
        if (moduleJar("deploy").isEmpty() || !Files.isDirectory(root.resolve("deploy/target/lib"))) {
            m.add("deploy/target/deploy-*.jar and deploy/target/lib");
        }
        return m;
    }
}
