package io.streamforecaster.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
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

    /** A deeply nested value was built and written out for the message (3.4 times the cost of skipping it, BENCHMARKS.md §5): it is skipped and named. */
    @org.junit.jupiter.api.Test
    void shouldNameAValueOfTheWrongKindWithoutWritingItOut() {
        ObservationParser parser = new ObservationParser(1, 4096);
        String deep = "{\"value\": " + "[".repeat(900) + "1" + "]".repeat(900) + "}";
        var e = assertThrows(InvalidObservationException.class, () -> parser.parse(b("k"), b(deep), 0));
        assertEquals(RejectReason.NOT_A_NUMBER, e.reason());
        assertEquals("\"value\" is not a number: an array", e.getMessage());

        e = assertThrows(InvalidObservationException.class, () -> parser.parse(b("k"), b("{\"value\": 1, \"timestamp\": {\"a\": [1, 2]}}"), 0));
        assertEquals(RejectReason.INVALID_TIMESTAMP, e.reason());
        assertEquals("\"timestamp\" is neither epoch milliseconds nor ISO-8601: an object", e.getMessage());

        e = assertThrows(InvalidObservationException.class, () -> parser.parse(b("k"), b("{\"value\": 1, \"timestamp\": \"not a date\"}"), 0));
        assertEquals("\"timestamp\" is neither epoch milliseconds nor ISO-8601: \"not a date\"", e.getMessage());

        e = assertThrows(InvalidObservationException.class, () -> parser.parse(b("k"), b("{\"values\": [null]}"), 0));
        assertEquals("\"values[0]\" is not a number: null", e.getMessage());
    }

    /** As a tree read them: the last of a field given twice counts, other fields are skipped however deep, nothing may follow. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"value\": [1], \"value\": 2}|2", "{\"a\": {\"b\": [1, 2, {\"c\": null}]}, \"value\": 3}|3", "{\"values\": [4], \"value\": 5}|4"})
    void shouldReadTheFieldsAsATreeWould(String text, double expected) throws Exception {
        assertArrayEquals(new double[] {expected}, univariate.parse(b("k"), b(text), 0).values());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"{\"value\": 2, \"value\": [1]}", "{\"value\": 1}{}", "{\"value\": 1} x", "{\"values\": [1", "{\"values\": [[1]]}"})
    void shouldRejectWhatATreeWouldReject(String text) {
        assertEquals(RejectReason.NOT_A_NUMBER, assertThrows(InvalidObservationException.class, () -> univariate.parse(b("k"), b(text), 0)).reason());
    }

    /** Jackson's limits hold in skipped fields too: nesting beyond 1,000 and numbers longer than 1,000 digits. */
    @org.junit.jupiter.api.Test
    void shouldKeepJacksonsLimitsInWhatItSkips() {
        ObservationParser parser = new ObservationParser(1, 4096);
        for (String text : List.of("{\"a\": " + "[".repeat(1001) + "]".repeat(1001) + ", \"value\": 1}",
                "{\"a\": " + "1".repeat(1001) + ", \"value\": 1}", "{\"value\": " + "1".repeat(1001) + "}")) {
            var e = assertThrows(InvalidObservationException.class, () -> parser.parse(b("k"), b(text), 0));
            assertEquals(RejectReason.NOT_A_NUMBER, e.reason());
            assertTrue(e.getMessage().startsWith("malformed JSON"), e.getMessage());
        }
        assertEquals(RejectReason.WRONG_DIMENSION,
                assertThrows(InvalidObservationException.class, () -> parser.parse(b("k"), b("{\"values\": []}"), 0)).reason());
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

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"value\": 1, \"timestamp\": -1}", "{\"value\": 1, \"timestamp\": \"1969-12-31T23:59:59Z\"}",
        "{\"value\": 1, \"timestamp\": 9223372036854775808}", "{\"value\": 1, \"timestamp\": 99999999999999999999999}",
        "{\"value\": 1, \"timestamp\": \"+999999999-12-31T23:59:59Z\"}", "{\"value\": 1, \"timestamp\": \"+10000-01-01T00:00:00Z\"}",
        "{\"value\": 1, \"timestamp\": 253402300800000}", "{\"value\": 1, \"timestamp\": 1.5}"})
    void shouldRejectTimestampsOutsideTheYears1970To9999(String text) {
        var e = assertThrows(InvalidObservationException.class, () -> univariate.parse(b("k"), b(text), 0));
        assertEquals(RejectReason.INVALID_TIMESTAMP, e.reason(), e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void shouldRejectANegativeRecordTimestamp() {
        var e = assertThrows(InvalidObservationException.class, () -> univariate.parse(b("k"), b("1"), -5));
        assertEquals(RejectReason.INVALID_TIMESTAMP, e.reason());
    }

    @org.junit.jupiter.api.Test
    void shouldAcceptTheFirstAndLastMillisecondOfTheRange() throws Exception {
        assertEquals(0, univariate.parse(b("k"), b("{\"value\": 1, \"timestamp\": \"1970-01-01T00:00:00Z\"}"), 7).timestamp());
        assertEquals(ObservationParser.MAX_TIMESTAMP,
                univariate.parse(b("k"), b("{\"value\": 1, \"timestamp\": \"9999-12-31T23:59:59.999Z\"}"), 7).timestamp());
    }

    @org.junit.jupiter.api.Test
    void shouldRejectKeysThatAreEmptyNotUtf8TooLongOrCarryControlCharacters() {
        byte[][] bad = {
            {}, // empty: could never be queried
            {(byte) 0xC3, (byte) 0x28}, // invalid UTF-8: would decode to a replacement character
            {(byte) 0xFF, 'a'}, {'a', (byte) 0x80},
            b("x".repeat(ObservationParser.DEFAULT_MAX_KEY_BYTES + 1)),
            b("\u0000shared"), // the shared model's internal key
            b("host\n1"), b("a\u0085b")};
        for (byte[] key : bad) {
            var e = assertThrows(InvalidObservationException.class, () -> univariate.parse(key, b("1"), 0));
            assertEquals(RejectReason.INVALID_KEY, e.reason(), e.getMessage());
        }
    }

    @org.junit.jupiter.api.Test
    void shouldKeepDistinctKeysDistinctAndAcceptTheLongestAllowed() throws Exception {
        String nfc = "caf\u00e9";
        String nfd = "cafe\u0301";
        assertEquals(nfc, univariate.parse(b(nfc), b("1"), 0).key());
        assertEquals(nfd, univariate.parse(b(nfd), b("1"), 0).key());
        String longest = "k".repeat(ObservationParser.DEFAULT_MAX_KEY_BYTES);
        assertEquals(longest, univariate.parse(b(longest), b("1"), 0).key());
        assertEquals("a/b c", univariate.parse(b("a/b c"), b("1"), 0).key());
    }

    @org.junit.jupiter.api.Test
    void shouldRejectValuesBeyondTheConfiguredMagnitude() throws Exception {
        assertArrayEquals(new double[] {-1e150}, univariate.parse(b("k"), b("-1e150"), 0).values());
        for (String v : new String[] {"1e151", "-1e308", "{\"value\": 1.7e308}", "{\"values\": [\"-2e200\"]}"}) {
            var e = assertThrows(InvalidObservationException.class, () -> univariate.parse(b("k"), b(v), 0));
            assertEquals(RejectReason.OUT_OF_RANGE, e.reason(), v);
        }
        var strict = new ObservationParser(1, 64, 16, 1000);
        assertEquals(RejectReason.OUT_OF_RANGE, assertThrows(InvalidObservationException.class, () -> strict.parse(b("k"), b("1000.5"), 0)).reason());
    }

    @org.junit.jupiter.api.Test
    void shouldRejectJsonWithTrailingContent() {
        var e = assertThrows(InvalidObservationException.class, () -> univariate.parse(b("k"), b("{\"value\": 1} {\"value\": 2}"), 0));
        assertEquals(RejectReason.NOT_A_NUMBER, e.reason());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"1.|true", ".5|true", "-.5e-3|true", "+7E+2|true", "1e|false", ".|false", "+|false", "1.2.3|false",
        "e5|false", "1e5.5|false", "\u0661|false", "12a|false", "--1|false"})
    void shouldRecogniseDecimalsInOnePass(String text, boolean decimal) {
        assertEquals(decimal, ObservationParser.isDecimal(text));
    }

    @org.junit.jupiter.api.Test
    void shouldRejectLongNonNumbersInLinearTime() {
        // 4,095 digits and a letter took 60-120 ms each with the backtracking regular expression: about ten minutes for these
        var parser = new ObservationParser(1, 4096);
        byte[] value = b("1".repeat(4095) + "x");
        byte[] key = b("k");
        var thread = java.lang.management.ManagementFactory.getThreadMXBean();
        long start = thread.getCurrentThreadCpuTime(); // this thread's own time: other work on the machine does not count
        int rejected = 0;
        for (int i = 0; i < 10_000; i++) {
            try {
                parser.parse(key, value, 0);
            } catch (InvalidObservationException e) {
                rejected += e.reason() == RejectReason.NOT_A_NUMBER ? 1 : 0;
            }
        }
        double seconds = (thread.getCurrentThreadCpuTime() - start) / 1e9;
        assertEquals(10_000, rejected);
        org.junit.jupiter.api.Assertions.assertTrue(seconds < 1, "10,000 rejections took " + seconds + " s of CPU");
    }
}
