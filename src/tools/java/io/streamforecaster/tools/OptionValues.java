package io.streamforecaster.tools;

/** The values of command-line options, for the tools that read their arguments one by one (backtest, nab). */
public final class OptionValues {

    private OptionValues() {
    }

    /** The argument at {@code i}, the value of {@code option}; refused when missing or another option. */
    public static String value(String[] argv, int i, String option) {
        if (i >= argv.length || argv[i].startsWith("--")) {
            throw new IllegalArgumentException("option " + option + " needs a value");
        }
        return argv[i];
    }

    /** {@code v} as a whole number of at least 1, or an error naming {@code option}. */
    public static int positive(String v, String option) {
        try {
            int n = Integer.parseInt(v);
            if (n < 1) {
                throw new IllegalArgumentException(option + " must be at least 1, got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a whole number, got '" + v + "'");
        }
    }
}
