package io.streamforecaster.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamforecaster.model.ModelFormat;
import io.streamforecaster.model.Variant;
import io.streamforecaster.state.SeriesState;
import io.streamforecaster.state.Source;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeriesHistoryTest {

    /** A state whose served forecasts are: none, naive 1, lstm v1 2 ± 0.5, lstm v2 3 ± 0.5, for actuals 1, 2, 3, 5. */
    static SeriesState served() {
        SeriesState s = new SeriesState(1, 16);
        var latest = s.latest();
        double[] actuals = {1, 2, 3, 5};
        for (int i = 0; i < actuals.length; i++) {
            s.served().add(100 + i, actuals[i], latest, false, false);
            s.history().append(new double[] {actuals[i]}, 100 + i);
            switch (i) {
                case 0 -> latest.record(new double[] {1}, Source.NAIVE, 0, Double.NaN, null);
                case 1 -> latest.record(new double[] {2}, Source.LSTM, 1, 0.5, null);
                default -> latest.record(new double[] {3}, Source.LSTM, 2, 0.5, null);
            }
        }
        return s;
    }

    @Test
    void shouldGiveWhatWasServedAgainstWhatHappenedWithModelChanges() {
        SeriesHistory h = SeriesHistory.of("k", served(), 10, null);
        assertEquals(4, h.points().size());
        assertNull(h.points().get(0).forecast(), "nothing was served for the first value");
        assertEquals("naive", h.points().get(1).source());
        assertNull(h.points().get(1).lower());
        assertEquals(1.5, h.points().get(2).lower());
        assertTrue(h.points().get(2).outside(), "3 is outside 2 ± 0.5");
        assertTrue(h.points().get(3).outside(), "5 is outside 3 ± 0.5");
        assertEquals(0.0, h.coverage());
        assertEquals(List.of(new SeriesHistory.ModelChange(103, 1, 2)), h.modelChanges());
        assertEquals(2, SeriesHistory.of("k", served(), 2, null).points().size());
    }

    @Test
    void shouldSummariseAKeyForTheOverviewAndSortWorstFirst() {
        SeriesState a = served();
        a.accuracy().add(2, 1, 1); // twice naive's error
        SeriesState b = served();
        b.accuracy().add(1, 2, 1); // half
        var model = new ModelFormat.Summary(Variant.VANILLA, 2, 1_000, 0.1);
        SeriesSummary sa = SeriesOverview.summary("a", a, model, 61_000);
        SeriesSummary sb = SeriesOverview.summary("b", b, null, 61_000);
        assertEquals(2.0, sa.maeRatio());
        assertEquals(60, sa.modelAgeSeconds());
        assertEquals("lstm", sa.source());
        assertEquals(0, sb.modelVersion());
        List<SeriesSummary> list = new ArrayList<>(List.of(sb, sa));
        Comparator<SeriesSummary> worstFirst = SeriesOverview.Sort.parse(null);
        list.sort(worstFirst);
        assertEquals("a", list.get(0).key());
        list.sort(SeriesOverview.Sort.parse("-key"));
        assertEquals("b", list.get(0).key());
    }
}
