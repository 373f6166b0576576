package io.streamforecaster.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PathKeyTest {

    static String error(String raw) {
        PathKey.Decoded d = PathKey.decode(raw, 256);
        assertNull(d.key(), raw);
        return d.error();
    }

    @Test
    void decodesTheKeyByteForByte() {
        assertEquals("host-1.cpu", PathKey.decode("host-1.cpu", 256).key());
        assertEquals("a/b c", PathKey.decode("a%2Fb%20c", 256).key());
        assertEquals("caf\u0065\u0301", PathKey.decode("caf%65%CC%81", 256).key(), "NFD stays NFD");
        assertEquals("日本", PathKey.decode("%E6%97%A5%E6%9C%AC", 256).key());
    }

    /** The HTTP server hands the path over as Latin-1: each character up to U+00FF is a byte as sent (curl sends UTF-8 unescaped). */
    @Test
    void takesUnescapedBytesAsTheKeysUtf8() {
        assertEquals("caf\u00e9", PathKey.decode("caf\u00C3\u00A9", 256).key());
        assertEquals("日本", PathKey.decode(new String("日本".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                java.nio.charset.StandardCharsets.ISO_8859_1), 256).key());
        assertTrue(error("caf\u00e9").contains("UTF-8"), "a lone Latin-1 byte is no UTF-8");
    }

    @Test
    void refusesWhatNoKeyCanBe() {
        assertTrue(error("%FF%FE").contains("UTF-8"));
        assertTrue(error("%C0%AF").contains("UTF-8"), "an overlong encoding of '/'");
        assertTrue(error("%ED%A0%80").contains("UTF-8"), "a lone surrogate");
        assertTrue(error("a%00b").contains("U+0000"));
        assertTrue(error("a%1Bb").contains("U+001B"));
        assertTrue(error("%G1").contains("malformed"));
        assertTrue(error("abc%").contains("malformed"));
        assertTrue(error("abc%4").contains("malformed"));
        assertTrue(error("%\u0663\u0663").contains("malformed"), "digits of other scripts are no hex digits");
        assertTrue(error("x".repeat(257)).contains("max-key-bytes"));
        assertTrue(error("%41".repeat(257)).contains("max-key-bytes"));
        assertTrue(error("").contains("empty"));
    }
}
