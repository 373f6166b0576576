package io.streamforecaster.tools;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** Minimal {@code --name value} parsing for the command-line tools, with clear errors. */
public final class Args {

    /** A wrong option or value: the tool prints the message and its usage, and exits non-zero. */
    public static final class UsageException extends Exception {
        public UsageException(String message) {
            super(message);
        }
    }

    private final Map<String, String> values = new HashMap<>();
    private final boolean help;

    public Args(String[] argv, Set<String> valued, Set<String> flags) throws UsageException {
        boolean h = false;
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (a.equals("--help") || a.equals("-h")) {
                h = true;
            } else if (flags.contains(a)) {
                values.put(a, "true");
            } else if (valued.contains(a)) {
                if (i + 1 >= argv.length || argv[i + 1].startsWith("--")) {
                    throw new UsageException("option " + a + " needs a value");
                }
                values.put(a, argv[++i]);
            } else {
                throw new UsageException("unknown option '" + a + "'");
            }
        }
        help = h;
    }

    public boolean help() {
        return help;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    public String required(String name) throws UsageException {
        String v = values.get(name);
        if (v == null) {
            throw new UsageException("option " + name + " is required");
        }
        return v;
    }

    public int integer(String name, int fallback, int min) throws UsageException {
        return (int) parse(name, fallback, min, "a whole number", Integer::parseInt);
    }

    double number(String name, double fallback, double min) throws UsageException {
        return parse(name, fallback, min, "a number", Double::parseDouble);
    }

    private double parse(String name, double fallback, double min, String kind,
                         java.util.function.ToDoubleFunction<String> parser) throws UsageException {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        double n;
        try {
            n = parser.applyAsDouble(v);
        } catch (NumberFormatException e) {
            throw new UsageException(name + " must be " + kind + ", got '" + v + "'");
        }
        if (!(n >= min)) {
            throw new UsageException(name + " must be at least " + (min == Math.rint(min) ? Long.toString((long) min) : min) + ", got " + v);
        }
        return n;
    }

    /** Runs a tool's main body: usage errors exit 2 with the message and the usage text. */
    public static void run(String usage, String[] argv, ToolBody body) {
        Logging.quiet();
        try {
            body.run(argv);
        } catch (UsageException | IllegalArgumentException e) { // bad option values (an unknown variant) too
            System.err.println("error: " + e.getMessage());
            System.err.println();
            System.err.println(usage);
            System.exit(2);
        } catch (Exception e) {
            System.err.println("error: " + e);
            System.exit(1);
        }
    }

    @FunctionalInterface
    public interface ToolBody {
        void run(String[] argv) throws Exception;
    }
}
