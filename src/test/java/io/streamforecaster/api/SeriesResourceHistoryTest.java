package io.streamforecaster.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamforecaster.config.ForecasterConfig;
import io.streamforecaster.state.SeriesState;
import io.streamforecaster.stream.Forecast;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /series/{key}/history} without {@code points} gives every point the key keeps, as many
 * as {@code forecaster.history.served-points} says, not the setting's default: the operator page
 * asks without it.
 */
class SeriesResourceHistoryTest {

    static SeriesResource servingLocally(SeriesState state, int servedPoints) {
        SeriesResource resource = new SeriesResource();
        ForecasterConfig.Input input = SeriesResourceForwardingTest.proxy(ForecasterConfig.Input.class,
                m -> m.getName().equals("maxKeyBytes") ? 256 : null);
        ForecasterConfig.History history = SeriesResourceForwardingTest.proxy(ForecasterConfig.History.class,
                m -> m.getName().equals("servedPoints") ? servedPoints : null);
        resource.config = SeriesResourceForwardingTest.proxy(ForecasterConfig.class,
                m -> switch (m.getName()) {
                    case "input" -> input;
                    case "history" -> history;
                    default -> null;
                });
        resource.queries = new SeriesQueries() {
            @Override
            public Location locate(String key) {
                return new Local(state, null);
            }

            @Override
            public Forecast forecast(String key, SeriesState s) {
                return null;
            }
        };
        return resource;
    }

    static SeriesState withServed(int kept, int observed) {
        SeriesState s = new SeriesState(1, 16, 16, kept);
        for (int i = 0; i < observed; i++) {
            s.served().add(1_000 + i, i, s.latest(), false, false);
        }
        return s;
    }

    @Test
    void shouldGiveEveryKeptPointByDefault() {
        Response r = servingLocally(withServed(300, 400), 300).history("k", null, null, SeriesResourceForwardingTest.NO_HEADERS);
        assertEquals(200, r.getStatus());
        SeriesHistory h = (SeriesHistory) r.getEntity();
        assertEquals(300, h.points().size(), "the 300 points the key keeps");
        assertEquals(1_100, h.points().get(0).timestamp(), "the last 300 of 400, oldest first");
    }

    @Test
    void shouldGiveAsManyAsAskedFor() {
        Response r = servingLocally(withServed(300, 400), 300).history("k", "7", null, SeriesResourceForwardingTest.NO_HEADERS);
        assertEquals(7, ((SeriesHistory) r.getEntity()).points().size());
    }

    @Test
    void shouldAnswerWhenNoneAreKept() {
        Response r = servingLocally(withServed(0, 10), 0).history("k", null, null, SeriesResourceForwardingTest.NO_HEADERS);
        assertEquals(200, r.getStatus());
        assertEquals(0, ((SeriesHistory) r.getEntity()).points().size());
    }
}
