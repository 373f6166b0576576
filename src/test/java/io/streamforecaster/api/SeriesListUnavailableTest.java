package io.streamforecaster.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.ws.rs.core.Response;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /series} while Kafka Streams does not run (the service waits for the input topic or
 * for credentials, or is stopping): 503 with {@code Retry-After} and the reason, as the per-key
 * answers give, not a 500 with a stack trace in the log for each poll of the page.
 */
class SeriesListUnavailableTest {

    @Test
    void shouldAskToRetryBeforeKafkaStreamsRuns(@TempDir Path dir) {
        Topology topology = new Topology();
        topology.addSource("observations", "in");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "not-started");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1");
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
        try (KafkaStreams streams = new KafkaStreams(topology, props)) {
            SeriesQueries queries = new SeriesQueries();
            queries.streams = streams;
            SeriesOverview overview = new SeriesOverview();
            overview.streams = streams;
            overview.queries = queries;
            overview.applicationServer = java.util.Optional.empty();
            SeriesListResource resource = new SeriesListResource();
            resource.overview = overview;
            resource.queries = queries;
            resource.budget = new OverviewBudget();
            for (String scope : new String[] {null, "local"}) {
                Response r = resource.list(null, null, null, null, scope, null, null, SeriesResourceForwardingTest.NO_HEADERS);
                assertEquals(503, r.getStatus(), "scope " + scope);
                assertEquals("2", r.getHeaderString("Retry-After"));
                assertTrue(((SeriesResource.ErrorBody) r.getEntity()).error().contains("CREATED"), r.getEntity().toString());
            }
            Response bad = resource.list(null, null, null, "nonsense", null, null, null, SeriesResourceForwardingTest.NO_HEADERS);
            assertEquals(503, bad.getStatus(), "nothing can be listed, whatever the parameters");
        }
    }

    /** An instance that did not answer is named by its address and the cause, not by the future's wrapper. */
    @Test
    void shouldNameWhyAnInstanceDidNotAnswer() {
        var refused = new java.util.concurrent.CompletionException(new java.net.ConnectException("Connection refused"));
        assertEquals("peer-2:8080 (ConnectException: Connection refused)",
                SeriesOverview.unanswered(new org.apache.kafka.streams.state.HostInfo("peer-2", 8080), refused));
        assertEquals("peer-2:8080 (HttpTimeoutException: request timed out)", SeriesOverview.unanswered(
                new org.apache.kafka.streams.state.HostInfo("peer-2", 8080), new java.net.http.HttpTimeoutException("request timed out")));
    }
}
