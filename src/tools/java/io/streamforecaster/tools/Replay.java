package io.streamforecaster.tools;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** {@code forecaster replay}: sends observations to the input topic, from a CSV file or generated. */
public final class Replay {

    static final String USAGE = """
            Usage: forecaster replay --bootstrap-servers HOST:PORT [--topic TOPIC]
                                     (--csv FILE [--key KEY] [--column NAME] | --generate N_KEYS)
                                     [--rate PER_SECOND] [--count N] [--seed S]

            Sends observations (plain numbers, keyed by series id) to the input topic.
              --bootstrap-servers  Kafka to send to
              --topic              input topic (default forecaster-input)
              --csv FILE           a CSV file: NAB (timestamp,value), jbrownlee (quoted, CRLF) or
                                   several value columns (ETTh1); sends one column
              --key KEY            series id for the CSV (default: the file name)
              --column NAME        the CSV column to send (default: the last)
              --generate N_KEYS    made-up series: trend, daily cycle, noise, level shifts
              --rate PER_SECOND    events per second in all (default 100; 0 = as fast as possible)
              --count N            stop after N events (default: the whole file; endless for --generate)
              --seed S             seed of --generate (default 1)
            """;

    private Replay() {
    }

    public static void main(String[] argv) {
        Args.run(USAGE, argv, Replay::run);
    }

    static void run(String[] argv) throws Exception {
        Args a = new Args(argv, Set.of("--bootstrap-servers", "--topic", "--csv", "--key", "--column", "--generate",
                "--rate", "--count", "--seed"), Set.of());
        if (a.help()) {
            System.out.println(USAGE);
            return;
        }
        String bootstrap = a.required("--bootstrap-servers");
        String topic = a.get("--topic", "forecaster-input");
        double rate = a.number("--rate", 100, 0);
        long count = a.integer("--count", Integer.MAX_VALUE, 1);
        if (a.has("--csv") == a.has("--generate")) {
            throw new Args.UsageException("give exactly one of --csv FILE or --generate N_KEYS");
        }
        Source source;
        if (a.has("--csv")) {
            Path file = Path.of(a.get("--csv", ""));
            if (!Files.isReadable(file)) {
                throw new Args.UsageException("cannot read CSV file " + file);
            }
            CsvSeries csv = CsvSeries.read(file, a.get("--column", null));
            String key = a.get("--key", csv.name());
            count = Math.min(count, csv.values().length);
            System.err.printf("replaying %d values of column '%s' of %s as key '%s' to %s%n",
                    count, csv.column(), file, key, topic);
            source = i -> new String[] {key, format(csv.values()[(int) i])};
        } else {
            SeriesGenerator g = new SeriesGenerator(a.integer("--generate", 1, 1), a.integer("--seed", 1, 0));
            System.err.printf("sending generated values of %d keys to %s%n", g.keys(), topic);
            source = i -> {
                int k = (int) (i % g.keys());
                return new String[] {g.key(k), format(g.next(k))};
            };
        }
        AtomicBoolean stop = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop.set(true)));
        try (Producer<String, String> producer = producer(bootstrap)) {
            long sent = send(producer, topic, source, count, rate, stop);
            producer.flush();
            System.err.printf("sent %d events%n", sent);
        }
    }

    /** The i-th event as {key, value}. */
    @FunctionalInterface
    interface Source {
        String[] event(long i);
    }

    static Producer<String, String> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "forecaster-replay");
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    /** Sends up to {@code count} events at about {@code rate} per second (0: unpaced). */
    static long send(Producer<String, String> producer, String topic, Source source, long count, double rate, AtomicBoolean stop) {
        long start = System.nanoTime();
        long i = 0;
        for (; i < count && !stop.get(); i++) {
            if (rate > 0) {
                long due = start + (long) (i * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
            String[] e = source.event(i);
            producer.send(new ProducerRecord<>(topic, e[0], e[1]));
        }
        return i;
    }

    static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
