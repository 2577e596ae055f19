package dev.airlock.deploy.stack;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.airlock.core.json.StrictJson;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code .airlock/stack.json}: the processes {@code airlock up} started, so that {@code status} and {@code down} (other
 * JVMs, later) find them. A pid alone is not an identity (pids are reused), so each entry also keeps the process's
 * start instant as the kernel reports it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StackState(String schema, String root, String home, Ports ports, Instant updatedAt, List<Proc> processes) {
    public static final String SCHEMA = "airlock.stack/v1";

    public StackState {
        processes = List.copyOf(processes);
    }

    /**
     * {@code kernelStart}: {@code <boot id>:<start time in clock ticks since boot>} from {@code /proc}, when there is
     * one. Unlike {@code processStart}, it does not move when the wall clock steps (NTP, a VM restored or moved: after
     * a "virtual machine fork" on the development VM every start instant read two seconds or more off, and {@code down}
     * took the running stack for pids reused by others and left it running). Absent in states written before it.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Proc(String name, String plane, String what, int stage, long pid, Instant processStart,
                       Instant launchedAt, String log, List<String> command, String kernelStart) {
        public Proc {
            command = List.copyOf(command);
        }

        /** An entry without a kernel start (not Linux, or a state written before it). */
        public Proc(String name, String plane, String what, int stage, long pid, Instant processStart,
                    Instant launchedAt, String log, List<String> command) {
            this(name, plane, what, stage, pid, processStart, launchedAt, log, command, null);
        }
    }

    public static StackState empty(StackSettings s) {
        return new StackState(SCHEMA, s.root().toString(), s.home().toString(), s.ports(), Instant.now(), List.of());
    }

    public Optional<Proc> find(String name) {
        return processes.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** This state with {@code p} replacing any entry of the same name (kept in start order). */
    public StackState with(Proc p) {
        List<Proc> list = new ArrayList<>(processes.stream().filter(x -> !x.name().equals(p.name())).toList());
        list.add(p);
        return new StackState(schema, root, home, ports, Instant.now(), list);
    }

    public StackState without(String name) {
        return new StackState(schema, root, home, ports, Instant.now(),
                processes.stream().filter(x -> !x.name().equals(name)).toList());
    }

    public static Optional<StackState> read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(StrictJson.mapper().readValue(Files.readAllBytes(file), StackState.class));
        } catch (IOException e) {
            throw new IOException("cannot read " + file + " (" + e.getMessage().lines().findFirst().orElse("")
                    + "); if no stack runs, delete it", e);
        }
    }

    public void write(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, StrictJson.writePretty(this));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
