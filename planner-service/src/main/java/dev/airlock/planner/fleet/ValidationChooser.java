package dev.airlock.planner.fleet;

import dev.airlock.core.capsule.Capsule;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Picks the validation argv of a built-in fleet's capsule from what the environment allows (planner-service README,
 * "Validation rule"). The policy's {@code validationCommands} are walked in order and the first prefix that fits the
 * repository wins:
 * <ul>
 * <li>Maven repository (a {@code pom.xml} changed): a prefix starting with {@code mvn} (or {@code ./mvnw} when the
 * repository ships it) becomes prefix + {@code -o} (unless the prefix is already offline) + {@code verify} (unless the
 * prefix names a phase). The runner has no network.</li>
 * <li>npm repository: a prefix starting with {@code npm} becomes {@code npm test} ({@code ["npm"]} + {@code test}, or
 * the prefix itself when it already runs {@code test}).</li>
 * <li>Either: exactly {@code ["sh", "validate.sh"]} when the repository ships a {@code validate.sh} at its root.</li>
 * </ul>
 * The result always starts with an allowed prefix, element for element, so the gateway's {@code COMMAND_NOT_ALLOWED}
 * check passes by construction; nothing is ever joined into a shell string.
 */
public final class ValidationChooser {

    private static final Set<String> MAVEN_PHASES = Set.of("validate", "compile", "test", "package", "verify",
            "install");

    private ValidationChooser() {
    }

    /**
     * @param kind        {@code maven} or {@code npm}
     * @param shipsFile   whether the repository root ships a file ({@code validate.sh}, {@code mvnw})
     */
    public static Optional<Capsule.ValidationStep> choose(List<List<String>> allowed, String kind,
                                                          Predicate<String> shipsFile, int timeoutSeconds) {
        for (List<String> prefix : allowed) {
            if (prefix.isEmpty()) {
                continue;
            }
            String cmd = prefix.get(0);
            if ("maven".equals(kind) && ("mvn".equals(cmd) || ("./mvnw".equals(cmd) && shipsFile.test("mvnw")))) {
                List<String> argv = new ArrayList<>(prefix);
                if (!prefix.contains("-o") && !prefix.contains("--offline")) {
                    argv.add("-o");
                }
                if (prefix.stream().noneMatch(MAVEN_PHASES::contains)) {
                    argv.add("verify");
                }
                return Optional.of(new Capsule.ValidationStep("build", argv, timeoutSeconds));
            }
            if ("npm".equals(kind) && "npm".equals(cmd)) {
                if (prefix.size() == 1) {
                    return Optional.of(new Capsule.ValidationStep("test", List.of("npm", "test"), timeoutSeconds));
                }
                if ("test".equals(prefix.get(1))) {
                    return Optional.of(new Capsule.ValidationStep("test", prefix, timeoutSeconds));
                }
            }
            if (prefix.equals(List.of("sh", "validate.sh")) && shipsFile.test("validate.sh")) {
                return Optional.of(new Capsule.ValidationStep("validate", prefix, timeoutSeconds));
            }
        }
        return Optional.empty();
    }
}
