package io.streamforecaster.api;

import io.streamforecaster.config.ForecasterConfig;
import io.streamforecaster.config.ModelScope;
import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.ingest.InputPartitioner;
import io.streamforecaster.model.ModelFormat;
import io.streamforecaster.model.ModelSnapshot;
import io.streamforecaster.state.SeriesState;
import io.streamforecaster.stream.Forecast;
import io.streamforecaster.stream.Stores;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Finds a key wherever the stream put it. Its partition follows from the producers' partitioner
 * ({@code forecaster.input.partitioner}); but a producer may partition otherwise (a librdkafka
 * client uses CRC32 where Java uses murmur2), so a key not found there is looked for in this
 * instance's other partitions, and then on the other instances.
 */
@ApplicationScoped
public class SeriesQueries {

    private static final Logger LOG = Logger.getLogger(SeriesQueries.class);

    /** Where a key lives: here (with its state read), maybe elsewhere, or nowhere reachable now. */
    public sealed interface Location {
    }

    /** Found here. @param model null when the key has none (or its stored model is unreadable) */
    public record Local(SeriesState state, ModelSnapshot model) implements Location {
    }

    /**
     * Not here: ask these instances, the one that owns the key's partition (by the configured
     * partitioner) first.
     *
     * @param moving whether the key's partition is without an owner now (a rebalance): not finding it is then no answer
     * @param searchedHere the input partitions of this instance whose stores were read for the key (those restoring were not)
     */
    public record Elsewhere(List<HostInfo> hosts, boolean moving, Set<Integer> searchedHere) implements Location {
    }

    public record Unavailable(String why) implements Location {
    }

    @Inject
    KafkaStreams streams;

    @Inject
    StreamSettings settings;

    @Inject
    ForecasterConfig config;

    @ConfigProperty(name = "quarkus.kafka-streams.application-server")
    Optional<String> applicationServer;

    /** Why no store of this instance can be read now (Kafka Streams neither running nor rebalancing), or null when they can. */
    public String unavailability() {
        KafkaStreams.State st = streams.state();
        return st == KafkaStreams.State.RUNNING || st == KafkaStreams.State.REBALANCING ? null : "Kafka Streams is " + st;
    }

    /** The key's location, searching this instance's stores first. */
    public Location locate(String key) {
        String why = unavailability();
        if (why != null) {
            return new Unavailable(why);
        }
        KeyQueryMetadata meta = metadata(key);
        boolean known = meta != null && !KeyQueryMetadata.NOT_AVAILABLE.equals(meta) && !HostInfo.unavailable().equals(meta.activeHost());
        HostInfo self = self();
        boolean ownedHere = known && (self == null || self.equals(meta.activeHost()));
        Set<Integer> searched = new TreeSet<>();
        try {
            Local found = ownedHere ? localIn(key, meta.partition()) : null;
            if (ownedHere) {
                searched.add(meta.partition());
            }
            if (found == null) {
                found = localAnywhere(key, ownedHere ? meta.partition() : -1, searched);
            }
            if (found != null) {
                return found;
            }
        } catch (InvalidStateStoreException e) {
            return new Unavailable("state store not queryable now: " + e.getMessage());
        }
        List<HostInfo> hosts = new ArrayList<>();
        if (known && !ownedHere) {
            hosts.add(meta.activeHost());
        }
        for (StreamsMetadata m : streams.streamsMetadataForStore(Stores.SERIES)) {
            HostInfo h = m.hostInfo();
            if (!h.equals(self) && !hosts.contains(h) && !HostInfo.unavailable().equals(h)) {
                hosts.add(h);
            }
        }
        return new Elsewhere(hosts, !known || streams.state() == KafkaStreams.State.REBALANCING, searched);
    }

    /** For a request another instance forwarded: this instance's stores only. */
    public Location locateHere(String key) {
        String why = unavailability();
        if (why != null) {
            return new Unavailable(why);
        }
        Set<Integer> searched = new TreeSet<>();
        Local found = localAnywhere(key, -1, searched);
        return found != null ? found : new Elsewhere(List.of(), false, searched);
    }

    private KeyQueryMetadata metadata(String key) {
        InputPartitioner p = config.input().partitioner();
        return p == InputPartitioner.MURMUR2
                ? streams.queryMetadataForKey(Stores.SERIES, key, Serdes.String().serializer())
                : streams.queryMetadataForKey(Stores.SERIES, key, p.streamPartitioner());
    }

    private HostInfo self() {
        return applicationServer.map(HostInfo::buildFromEndpoint).orElse(null);
    }

    /** Every partition whose series store is active on this instance. */
    TreeSet<Integer> localPartitions() {
        TreeSet<Integer> partitions = new TreeSet<>();
        streams.metadataForLocalThreads().forEach(t -> t.activeTasks().forEach(task -> task.topicPartitions().forEach(tp -> {
            if (tp.topic().equals(settings.inputTopic())) {
                partitions.add(tp.partition());
            }
        })));
        return partitions;
    }

    /** Every input partition the group has assigned, as this instance knows the group. */
    public Set<Integer> assignedPartitions() {
        Set<Integer> all = new TreeSet<>();
        for (StreamsMetadata m : streams.metadataForAllStreamsClients()) {
            m.topicPartitions().forEach(tp -> {
                if (tp.topic().equals(settings.inputTopic())) {
                    all.add(tp.partition());
                }
            });
        }
        return all;
    }

    /**
     * The key in any of this instance's partitions but {@code skip}. A partition that cannot be read
     * now (restoring, or being handed over) is passed over: its keys are then found elsewhere or
     * not at all, and it is not among the partitions {@code searched}, so that not finding a key
     * there is no answer (503), while the keys of every other partition still are.
     *
     * @param searched gets the partitions whose stores were read
     */
    private Local localAnywhere(String key, int skip, Set<Integer> searched) {
        for (int p : localPartitions()) {
            if (p != skip) {
                try {
                    Local found = localIn(key, p);
                    searched.add(p);
                    if (found != null) {
                        return found;
                    }
                } catch (InvalidStateStoreException e) {
                    LOG.debugf("Partition %d is not queryable now (%s); key '%s' is searched for elsewhere", p, e.getMessage(), key);
                }
            }
        }
        return null;
    }

    private Local localIn(String key, int partition) {
        SeriesState state = store(Stores.SERIES, partition).get(key) instanceof SeriesState s ? s : null;
        if (state == null) {
            return null;
        }
        String modelKey = settings.scope() == ModelScope.SHARED ? Stores.SHARED_MODEL_KEY : key;
        byte[] bytes = (byte[]) store(Stores.MODELS, partition).get(modelKey);
        return new Local(state, decode(key, bytes));
    }

    private static ModelSnapshot decode(String key, byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return ModelFormat.decode(bytes);
        } catch (RuntimeException e) {
            LOG.debugf("Stored model of key '%s' is unreadable (the key is retrained): %s", key, e.getMessage());
            return null;
        }
    }

    /** Why and when the key is next trained; a model trained under other settings counts as none. */
    public io.streamforecaster.stream.RetrainPolicy.Due schedule(SeriesState state, ModelSnapshot model) {
        boolean usable = model != null && io.streamforecaster.model.Trainer.compatible(model, settings.training());
        return settings.scope() == ModelScope.SHARED ? io.streamforecaster.stream.RetrainPolicy.ofShared(settings, usable ? model : null)
                : io.streamforecaster.stream.RetrainPolicy.of(settings, state, usable ? model : null);
    }

    public String scope() {
        return settings.scope().id();
    }

    public Forecast forecast(String key, SeriesState state) {
        return state == null ? null : Forecast.of(key, state, settings.training().variant().id(), settings.nSteps());
    }

    ReadOnlyKeyValueStore<String, Object> store(String name, int partition) {
        return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, Object>keyValueStore())
                .withPartition(partition));
    }
}
