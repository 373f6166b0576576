package io.streamforecaster.tools.chaos;

import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.state.SeriesState;
import io.streamforecaster.state.SeriesStateCodec;
import io.streamforecaster.model.ModelFormat;
import io.streamforecaster.model.ModelSnapshot;
import io.streamforecaster.model.Scaler;
import io.streamforecaster.model.Trainer;
import io.streamforecaster.serving.OnlineForecaster;
import io.streamforecaster.stream.Stores;
import io.streamforecaster.tools.ServiceDefaults;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A service that has run for a while, without waiting for it: every key's full history (built by
 * the service's own {@link OnlineForecaster}, as the stream would have built it) and a model of a
 * chosen version, written into the stores' changelog topics, which Kafka Streams restores on start.
 * The histories are the workload's own series before step 0, so the stream continues them.
 */
final class Prefill {

    /** What was written: each key's model version and training time. */
    record Written(Map<String, Long> versions, Map<String, Long> trainedAt, int histories) {
    }

    private Prefill() {
    }

    /**
     * @param settings the service settings of the run ({@code forecaster.*} keys are read as the service reads them)
     * @param version the version every model gets
     */
    static Written write(BrokerCluster kafka, String applicationId, int partitions, int keys, Map<String, String> settings,
                         long version, long t0) throws Exception {
        Map<String, String> forecaster = new HashMap<>();
        settings.forEach((k, v) -> {
            if (k.startsWith("forecaster.")) {
                forecaster.put(k, v);
            }
        });
        StreamSettings s = ServiceDefaults.settings(forecaster);
        String models = applicationId + "-" + Stores.MODELS + "-changelog";
        String series = applicationId + "-" + Stores.SERIES + "-changelog";
        short replicas = (short) Math.min(3, kafka.size());
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(
                    new NewTopic(models, partitions, replicas).configs(Map.of("cleanup.policy", "compact")),
                    new NewTopic(series, partitions, replicas).configs(Map.of("cleanup.policy", "compact")))).all().get();
        }
        int history = s.historySize();
        double[][] rows = new double[history][];
        for (int i = 0; i < history; i++) {
            rows[i] = new double[] {Workload.value(0, i - history)};
        }
        ModelSnapshot template = Trainer.train(s.training(), rows, null, history, t0);
        OnlineForecaster online = new OnlineForecaster(s);
        SeriesStateCodec codec = online.codec();
        Map<String, Long> versions = new TreeMap<>();
        Map<String, Long> trainedAt = new TreeMap<>();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        try (var producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (int k = 0; k < keys; k++) {
                String key = Workload.key(k);
                long installed = t0 - 1000L * (keys - k); // distinct per key, so a retrained model shows
                ModelSnapshot m = new ModelSnapshot(template.variant(), template.nSteps(), template.nFeatures(), template.units(),
                        new Scaler(new double[] {20 + (k % 97)}, new double[] {3.6}), template.lstms(), template.dense(),
                        version, installed, template.trainingLoss(), history);
                SeriesState state = online.newState();
                for (int i = -history; i < 0; i++) {
                    online.observe(state, new double[] {Workload.value(k, i)}, t0 + i, m);
                }
                producer.send(new ProducerRecord<>(models, key, ModelFormat.encode(m)));
                producer.send(new ProducerRecord<>(series, key, codec.encode(state)));
                versions.put(key, version);
                trainedAt.put(key, installed);
            }
        }
        return new Written(versions, trainedAt, keys);
    }
}
