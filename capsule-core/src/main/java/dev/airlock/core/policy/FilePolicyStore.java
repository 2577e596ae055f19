package dev.airlock.core.policy;

import dev.airlock.core.verify.VerificationException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Policy history in a directory: one file per version, {@code policy-v<N>.dsse.json}, holding the exact envelope bytes.
 * On open, the chain is re-verified link by link from the first file (trust on install) exactly as it was accepted,
 * so a file edited on disk is detected instead of trusted.
 */
public final class FilePolicyStore implements PolicyStore {
    private static final Pattern NAME = Pattern.compile("^policy-v([0-9]{1,18})\\.dsse\\.json$");

    private final Path dir;
    private final List<TrustedPolicy> history = new ArrayList<>();

    public FilePolicyStore(Path dir, Clock clock) throws IOException, VerificationException {
        this.dir = dir;
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> NAME.matcher(p.getFileName().toString()).matches()).forEach(files::add);
        }
        files.sort((a, b) -> Long.compare(version(a), version(b)));
        PolicyTrust trust = new PolicyTrust(clock);
        InMemoryPolicyStore replay = new InMemoryPolicyStore();
        for (Path p : files) {
            PolicyTrust.Accepted a = trust.accept(Files.readAllBytes(p), replay.current(), replay, false);
            if (a.policy().version() != version(p)) {
                throw new IOException("policy file " + p + " holds version " + a.policy().version());
            }
            replay.install(a.policy());
        }
        history.addAll(replay.history());
    }

    private static long version(Path p) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    @Override
    public synchronized Optional<TrustedPolicy> current() {
        return history.isEmpty() ? Optional.empty() : Optional.of(history.get(history.size() - 1));
    }

    @Override
    public synchronized void install(TrustedPolicy policy) {
        try {
            Files.createDirectories(dir);
            Path target = dir.resolve("policy-v" + policy.version() + ".dsse.json");
            Path tmp = dir.resolve(".policy-v" + policy.version() + ".tmp");
            Files.write(tmp, policy.envelope().toJson());
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store policy version " + policy.version(), e);
        }
        history.add(policy);
    }

    @Override
    public synchronized List<TrustedPolicy> history() {
        return List.copyOf(history);
    }
}
