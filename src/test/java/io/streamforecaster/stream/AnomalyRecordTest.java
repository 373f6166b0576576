package io.streamforecaster.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.streamforecaster.anomaly.Anomaly;
import io.streamforecaster.anomaly.AnomalyOutcome.Cause;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AnomalyRecordTest {

    /** A finite forecast and half-width whose sum passes the largest double: Jackson wrote the bound as the string "Infinity". */
    @Test
    void shouldLeaveOutABoundBeyondTheLargestDouble() {
        AnomalyRecord r = AnomalyRecord.of("k", new Anomaly(1000, 1, 1.5e308, 1e308, 0.9, Cause.RANGE));
        assertEquals(5e307, r.lower(), 1e293);
        assertNull(r.upper(), "expected + halfWidth is +Infinity");
        String json = new String(r.toJson(), StandardCharsets.UTF_8);
        assertFalse(json.contains("Infinity"), json);
        assertEquals(r, AnomalyRecord.fromJson(r.toJson()));
    }

    @Test
    void shouldKeepBothBoundsOfAnOrdinaryInterval() {
        AnomalyRecord r = AnomalyRecord.of("k", new Anomaly(1000, 1, 10, 2, 0.9, Cause.FORECAST));
        assertEquals(8.0, r.lower());
        assertEquals(12.0, r.upper());
        assertEquals("forecast", r.cause());
    }
}
