package io.streamforecaster.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RequestUriCheckTest {

    @Test
    void wellFormedUrisPass() {
        assertNull(RequestUriCheck.problem("/series/key-0/forecast"));
        assertNull(RequestUriCheck.problem("/series/a%2Fb/history?points=10"));
        assertNull(RequestUriCheck.problem("/series?limit=5"));
        assertNull(RequestUriCheck.problem("/q/health/ready"));
        assertNull(RequestUriCheck.problem("/"));
    }

    @Test
    void theKeySegmentIsLeftToPathKey() {
        assertNull(RequestUriCheck.problem("/series/host|cpu/model"), "a key with a character a URI must escape");
        assertNull(RequestUriCheck.problem("/series/a%20b{1}/forecast"));
        assertEquals(PathKey.decode("a%G1", 256).error(), RequestUriCheck.problem("/series/a%G1/forecast"),
                "a malformed escape in the key: PathKey's reason");
        assertEquals("malformed percent-encoding in the key at character 0", RequestUriCheck.problem("/series/%/forecast"));
        assertEquals("malformed percent-encoding in the key at character 3", RequestUriCheck.problem("/series/%41%4/model"));
        assertEquals("host|cpu", PathKey.decode("host|cpu", 256).key());
        assertTrue(RequestUriCheck.problem("/series/host;cpu/forecast").contains("%3B"), "the REST layer would answer for 'host'");
        assertNull(RequestUriCheck.problem("/series/host%3Bcpu/forecast"));
    }

    @Test
    void malformedUrisAreRefusedWithAReason() {
        String p = RequestUriCheck.problem("/series/key-0/history?points=%G1");
        assertNotNull(p);
        assertTrue(p.startsWith("malformed request URI: "), p);
        assertNotNull(RequestUriCheck.problem("/q/health%G1"));
        assertNotNull(RequestUriCheck.problem("/nothing|here"));
        assertNotNull(RequestUriCheck.problem("/series/key-0/fore{cast}"));
        assertNotNull(RequestUriCheck.problem("/series%"));
        assertNotNull(RequestUriCheck.problem(""));
        assertNotNull(RequestUriCheck.problem(null));
    }
}
