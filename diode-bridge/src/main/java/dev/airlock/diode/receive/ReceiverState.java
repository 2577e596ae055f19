package dev.airlock.diode.receive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.verify.VerificationException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * The receiver's persisted de-duplication state per stream: sequences done (produced, or refused after a whole
 * message arrived) and sequences reported as gaps. Written atomically (temp file, fsync, rename) after each batch of
 * produced records has been acknowledged by Kafka.
 */
final class ReceiverState {
    static final String SCHEMA = "airlock.diode.receiver-state/v1";
    private static final String FILE = "receiver-state.json";

    static final class Stream {
        final RangeSet done = new RangeSet();
        final RangeSet reported = new RangeSet();
    }

    final Map<String, Stream> streams = new TreeMap<>();

    Stream stream(String id) {
        return streams.computeIfAbsent(id, k -> new Stream());
    }

    static ReceiverState load(Path dir) throws IOException {
        ReceiverState s = new ReceiverState();
        Path f = dir.resolve(FILE);
        if (!Files.exists(f)) {
            return s;
        }
        JsonNode root;
        try {
            root = StrictJson.readTree(Files.readAllBytes(f), StrictJson.SIGNED.withMaxBytes(64L * 1024 * 1024));
        } catch (VerificationException e) {
            throw new IOException("receiver state " + f + " is unreadable: " + e.getMessage());
        }
        if (!SCHEMA.equals(root.path("schema").asText())) {
            throw new IOException("receiver state " + f + " has an unknown schema");
        }
        for (Map.Entry<String, JsonNode> e : root.path("streams").properties()) {
            Stream st = s.stream(e.getKey());
            readRanges(e.getValue().path("done"), st.done);
            readRanges(e.getValue().path("reported"), st.reported);
        }
        return s;
    }

    private static void readRanges(JsonNode arr, RangeSet into) {
        for (JsonNode r : arr) {
            into.addRange(r.get(0).asLong(), r.get(1).asLong());
        }
    }

    void save(Path dir) throws IOException {
        ObjectNode root = StrictJson.mapper().createObjectNode();
        root.put("schema", SCHEMA);
        ObjectNode ss = root.putObject("streams");
        streams.forEach((id, st) -> {
            ObjectNode o = ss.putObject(id);
            writeRanges(o.putArray("done"), st.done);
            writeRanges(o.putArray("reported"), st.reported);
        });
        byte[] bytes = StrictJson.write(root);
        Path tmp = dir.resolve(FILE + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void writeRanges(ArrayNode arr, RangeSet set) {
        for (long[] r : set.toList()) {
            arr.addArray().add(r[0]).add(r[1]);
        }
    }
}
