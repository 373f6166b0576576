package io.streamforecaster.api;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A series key as it arrives in a request path, percent-encoded, decoded strictly: malformed
 * escapes, bytes that are not UTF-8 (which a lenient decoder would turn into U+FFFD and so into
 * another key), control characters and keys longer than {@code forecaster.input.max-key-bytes}
 * are refused with the reason, as the stream refuses them ({@code invalid-key}): no such key can
 * exist, so the answer is a 400, not a search of every instance.
 */
public final class PathKey {

    /** @param key the decoded key, or null; @param error why it was refused, or null */
    public record Decoded(String key, String error) {
    }

    private PathKey() {
    }

    /** Why this raw key segment's percent-escapes are malformed, or null when each is {@code %} and two hex digits. */
    public static String escapeProblem(String raw) {
        for (int i = raw.indexOf('%'); i >= 0; i = raw.indexOf('%', i + 3)) {
            if (!escapeAt(raw, i)) {
                return malformedEscape(i);
            }
        }
        return null;
    }

    private static boolean escapeAt(String raw, int i) {
        return i + 2 < raw.length() && hex(raw.charAt(i + 1)) && hex(raw.charAt(i + 2));
    }

    private static boolean hex(char c) { // ASCII only: Character.digit also takes other scripts' digits
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static String malformedEscape(int at) {
        return "malformed percent-encoding in the key at character " + at;
    }

    public static Decoded decode(String raw, int maxKeyBytes) {
        if (raw == null || raw.isEmpty()) {
            return new Decoded(null, "the key is empty");
        }
        if (raw.length() > 3 * maxKeyBytes) {
            return new Decoded(null, "the key is longer than forecaster.input.max-key-bytes = " + maxKeyBytes + " bytes");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (!escapeAt(raw, i)) {
                    return new Decoded(null, malformedEscape(i));
                }
                bytes.write(Character.digit(raw.charAt(i + 1), 16) * 16 + Character.digit(raw.charAt(i + 2), 16));
                i += 2;
            } else if (c <= 0xFF) {
                // the HTTP server reads the request line byte by byte (as Latin-1): a character up to
                // U+00FF is a byte of the path as sent, such as one of the UTF-8 bytes curl sends unescaped
                bytes.write(c);
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < raw.length()) {
                    b = raw.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                bytes.write(b, 0, b.length);
            }
        }
        byte[] b = bytes.toByteArray();
        if (b.length > maxKeyBytes) {
            return new Decoded(null, "the key of " + b.length + " bytes is longer than forecaster.input.max-key-bytes = " + maxKeyBytes);
        }
        String key;
        try {
            key = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            return new Decoded(null, "the key is not valid UTF-8 (percent-encode its UTF-8 bytes)");
        }
        for (int i = 0; i < key.length(); i++) {
            if (Character.isISOControl(key.charAt(i))) {
                return new Decoded(null, String.format("the key holds the control character U+%04X", (int) key.charAt(i)));
            }
        }
        return new Decoded(key, null);
    }
}
