package io.streamforecaster.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ObservationParserTest {

    final ObservationParser univariate = new ObservationParser(1, 64);
    final ObservationParser bivariate = new ObservationParser(2, 64);

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "42.5|42.5", "-1e3|-1000", "  7 |7", "+3|3", ".5|0.5", "{\"value\": 12}|12", "{\"value\": \"13.5\"}|13.5",
        "{\"values\": [4]}|4"})
    void shouldReadEveryUnivariateForm(String text, double expected) throws Exception {
        assertArrayEquals(new double[] {expected}, univariate.parse(b("k"), b(text), 5).values());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "abc|NOT_A_NUMBER", "0x1p3|NOT_A_NUMBER", "1.5d|NOT_A_NUMBER", "[1]|NOT_A_NUMBER", "{\"value\": true}|NOT_A_NUMBER",
        "{\"value\": null}|NOT_A_NUMBER", "NaN|NON_FINITE", "Infinity|NON_FINITE", "-inf|NON_FINITE", "1e400|NON_FINITE",
        "{\"values\": [1, 2]}|WRONG_DIMENSION", "{\"values\": 3}|NOT_A_NUMBER",
        "{\"value\": 1, \"timestamp\": true}|INVALID_TIMESTAMP"})
    void shouldRejectWithTheRightReason(String text, RejectReason reason) {
        var e = assertThrows(InvalidObservationException.class, () -> univariate.parse(b("k"), b(text), 0));
        assertEquals(reason, e.reason(), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"{\"values\": [1.5, -2]}|1.5|-2", "{\"values\": [\"3\", 4e2]}|3|400"})
    void shouldReadMultivariateValues(String text, double a, double c) throws Exception {
        assertArrayEquals(new double[] {a, c}, bivariate.parse(b("k"), b(text), 0).values());
    }

    @org.junit.jupiter.api.Test
    void shouldNeedAllValuesOfAMultivariateSeries() {
        var e = assertThrows(InvalidObservationException.class, () -> bivariate.parse(b("k"), b("3"), 0));
        assertEquals(RejectReason.WRONG_DIMENSION, e.reason());
    }

    @org.junit.jupiter.api.Test
    void shouldTakeTheTimestampFromTheValueWhenGiven() throws Exception {
        assertEquals(99, univariate.parse(b("k"), b("{\"value\": 1}"), 99).timestamp());
        assertEquals(1700000000000L, univariate.parse(b("k"), b("{\"value\": 1, \"timestamp\": 1700000000000}"), 99).timestamp());
        assertEquals(1700000000000L, univariate.parse(b("k"), b("{\"value\": 1, \"timestamp\": \"2023-11-14T22:13:20Z\"}"), 99).timestamp());
        assertEquals(1700000000000L, univariate.parse(b("k"), b("{\"value\": 1, \"timestamp\": \"2023-11-15T00:13:20+02:00\"}"), 99).timestamp());
    }

    @org.junit.jupiter.api.Test
    void shouldRejectMissingKeyEmptyAndOversizedValues() {
        assertEquals(RejectReason.NULL_KEY, assertThrows(InvalidObservationException.class, () -> univariate.parse(null, b("1"), 0)).reason());
        assertEquals(RejectReason.EMPTY_VALUE, assertThrows(InvalidObservationException.class, () -> univariate.parse(b("k"), null, 0)).reason());
        assertEquals(RejectReason.EMPTY_VALUE, assertThrows(InvalidObservationException.class, () -> univariate.parse(b("k"), b(" \n"), 0)).reason());
        assertEquals(RejectReason.TOO_LARGE, assertThrows(InvalidObservationException.class, () -> univariate.parse(b("k"), b("1".repeat(65)), 0)).reason());
    }
}
