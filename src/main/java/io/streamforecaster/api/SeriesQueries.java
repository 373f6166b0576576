package io.streamforecaster.api;

import io.streamforecaster.config.StreamSettings;
import io.streamforecaster.history.SeriesState;
import io.streamforecaster.model.ModelFormat;
import io.streamforecaster.model.ModelSnapshot;
import io.streamforecaster.stream.Forecast;
import io.streamforecaster.stream.Stores;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Answers for one key from this instance's stores, or names the instance that owns the key. */
@ApplicationScoped
public class SeriesQueries {

    /** Where a key lives: here (with its state read), elsewhere, or nowhere known yet. */
    public sealed interface Location {
    }

    public record Local(SeriesState state, ModelSnapshot model) implements Location {
    }

    public record Remote(HostInfo host) implements Location {
    }

    public record Unavailable(String why) implements Location {
    }

    @Inject
    KafkaStreams streams;

    @Inject
    StreamSettings settings;

    @ConfigProperty(name = "quarkus.kafka-streams.application-server")
    Optional<String> applicationServer;

    public Location locate(String key) {
        if (streams.state() != KafkaStreams.State.RUNNING && streams.state() != KafkaStreams.State.REBALANCING) {
            return new Unavailable("Kafka Streams is " + streams.state());
        }
        KeyQueryMetadata meta = streams.queryMetadataForKey(Stores.SERIES, key, Serdes.String().serializer());
        if (meta == null || KeyQueryMetadata.NOT_AVAILABLE.equals(meta)) {
            return new Unavailable("no instance owns the key's partition yet");
        }
        HostInfo self = applicationServer.map(HostInfo::buildFromEndpoint).orElse(null);
        if (self != null && !self.equals(meta.activeHost()) && !HostInfo.unavailable().equals(meta.activeHost())) {
            return new Remote(meta.activeHost());
        }
        try {
            SeriesState state = store(Stores.SERIES, meta.partition()).get(key) instanceof SeriesState s ? s : null;
            String modelKey = settings.scope() == io.streamforecaster.config.ModelScope.SHARED ? Stores.SHARED_MODEL_KEY : key;
            byte[] model = state == null ? null : (byte[]) store(Stores.MODELS, meta.partition()).get(modelKey);
            return new Local(state, model == null ? null : ModelFormat.decode(model));
        } catch (org.apache.kafka.streams.errors.InvalidStateStoreException e) {
            return new Unavailable("state store not queryable now: " + e.getMessage());
        }
    }

    public String scope() {
        return settings.scope().id();
    }

    public Forecast forecast(String key, SeriesState state) {
        return state == null ? null : Forecast.of(key, state, settings.training().variant().id(), settings.nSteps());
    }

    private ReadOnlyKeyValueStore<String, Object> store(String name, int partition) {
        return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, Object>keyValueStore())
                .withPartition(partition));
    }
}
