package dev.airlock.diode.wire;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * What one diode message carries (README "Message body"): the source record's Kafka key (the capsule id, UTF-8,
 * possibly absent) and value (the signed capsule or policy DSSE bytes, unchanged). The body is what the SHA-256 in
 * every datagram covers. Encoding is deterministic, so a message re-sent after a restart has the same digest.
 */
public record MessageBody(String key, byte[] value) {
    public static final int VERSION = 1;
    public static final int MAX_KEY_BYTES = 1024;
    private static final int NO_KEY = 0xFFFF;

    public MessageBody {
        if (value == null) {
            throw new IllegalArgumentException("value is required");
        }
        if (key != null && key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
            throw new IllegalArgumentException("key longer than " + MAX_KEY_BYTES + " bytes");
        }
    }

    public byte[] encode() {
        byte[] k = key == null ? new byte[0] : key.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(1 + 2 + k.length + value.length);
        b.put((byte) VERSION).putShort((short) (key == null ? NO_KEY : k.length)).put(k).put(value);
        return b.array();
    }

    public static MessageBody decode(byte[] body) throws FrameException {
        if (body.length < 3 || (body[0] & 0xff) != VERSION) {
            throw new FrameException("bad_body");
        }
        int kl = ((body[1] & 0xff) << 8) | (body[2] & 0xff);
        String key = null;
        int off = 3;
        if (kl != NO_KEY) {
            if (kl > MAX_KEY_BYTES || 3 + kl > body.length) {
                throw new FrameException("bad_body");
            }
            try {
                key = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(body, 3, kl)).toString();
            } catch (CharacterCodingException e) {
                throw new FrameException("bad_body");
            }
            off += kl;
        }
        byte[] value = java.util.Arrays.copyOfRange(body, off, body.length);
        return new MessageBody(key, value);
    }
}
