package dev.airlock.core.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.json.StrictJson;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Ledger kept as an append-only JSON-lines file ({@code ledger.jsonl}), fsync'd on every record; used by
 * {@code airlock capsule verify --state DIR} and by edge tools without a database. A torn last line (crash mid-write)
 * is ignored on load; any other unreadable line is an error, never silently skipped.
 */
public final class FileLedger implements AdmissionLedger {
    private final Path file;
    private final InMemoryLedger index = new InMemoryLedger();

    public FileLedger(Path file) throws IOException {
        this.file = file;
        if (Files.exists(file)) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.isBlank()) {
                    continue;
                }
                try {
                    JsonNode n = StrictJson.readTree(line.getBytes(StandardCharsets.UTF_8), StrictJson.SIGNED);
                    index.record(new Entry(n.get("capsuleId").asText(), n.get("lineage").asText(),
                            n.get("sequence").asLong(), n.get("capsuleDigest").asText(), n.get("policyVersion").asLong(),
                            StrictJson.parseInstant(n.get("admittedAt").asText())));
                } catch (VerificationException | RuntimeException e) {
                    boolean last = i == lines.size() - 1;
                    if (!last) {
                        throw new IOException("ledger " + file + " line " + (i + 1) + " is unreadable: " + e.getMessage());
                    }
                }
            }
        }
    }

    @Override
    public boolean isAdmitted(String capsuleId) {
        return index.isAdmitted(capsuleId);
    }

    @Override
    public OptionalLong lastSequence(String lineage) {
        return index.lastSequence(lineage);
    }

    @Override
    public synchronized void record(Entry e) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("capsuleId", e.capsuleId());
        line.put("lineage", e.lineage());
        line.put("sequence", e.sequence());
        line.put("capsuleDigest", e.capsuleDigest());
        line.put("policyVersion", e.policyVersion());
        line.put("admittedAt", StrictJson.formatInstant(java.util.Objects.requireNonNull(e.admittedAt(), "admittedAt")));
        byte[] bytes = (new String(StrictJson.write(line), StandardCharsets.UTF_8) + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                ch.write(ByteBuffer.wrap(bytes));
                ch.force(true);
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot append to ledger " + file, ex);
        }
        index.record(e);
    }
}
