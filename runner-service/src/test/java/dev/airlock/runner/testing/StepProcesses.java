package dev.airlock.runner.testing;

import dev.airlock.runner.domain.ProcessReaper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The live processes working in a directory, by host pid: a validation step's processes are the ones whose working
 * directory is the workspace. Found from the host's {@code /proc}, so a step in a PID namespace (whose {@code $!} is a
 * pid of that namespace, meaningless here) is seen too.
 */
public final class StepProcesses {

    private StepProcesses() {
    }

    public static List<Long> in(Path workdir) throws IOException {
        Path dir = workdir.toRealPath();
        List<Long> out = new ArrayList<>();
        String[] names = Path.of("/proc").toFile().list();
        if (names == null) {
            throw new IOException("cannot list /proc");
        }
        for (String name : names) {
            if (!name.chars().allMatch(Character::isDigit)) {
                continue;
            }
            long pid = Long.parseLong(name);
            try {
                if (Files.readSymbolicLink(Path.of("/proc", name, "cwd")).equals(dir) && ProcessReaper.running(pid)) {
                    out.add(pid);
                }
            } catch (IOException | SecurityException e) {
                // gone meanwhile, or not ours
            }
        }
        return out;
    }
}
