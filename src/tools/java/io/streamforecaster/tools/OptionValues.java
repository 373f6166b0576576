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

    /** Puts the settings of a {@code --set} value ({@code key=value,...}) into {@code settings}. */
    public static void putSettings(String v, java.util.Map<String, String> settings) {
        for (String kv : v.split(",")) {
            int eq = kv.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("--set takes key=value pairs, got '" + kv + "'");
            }
            settings.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
    }
}
