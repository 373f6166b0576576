package io.streamforecaster.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.streamforecaster.state.SeriesState;
import io.streamforecaster.state.ServedForecasts;
import io.streamforecaster.stream.Forecast;
import java.util.ArrayList;
import java.util.List;

/**
 * The answer of {@code GET /series/{key}/history}: what the key served against what happened, its
 * current forecast, and where its model changed. Every number is the service's own; the page plots
 * them as they are.
 *
 * @param points oldest first
 * @param coverage share of these points with an interval whose actual fell inside it (null: none had one)
 * @param modelChanges the points where the serving model's version changed
 * @param current the forecast of the next value (with its horizon), null before the first
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record SeriesHistory(String key, List<Point> points, Double coverage, List<ModelChange> modelChanges, Forecast current) {

    /**
     * @param forecast what was served for this value (null: nothing was)
     * @param lower its interval's lower end (null: it had none)
     * @param outside whether the actual fell outside that interval
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Point(long timestamp, double actual, Double forecast, Double lower, Double upper, String source,
                        long modelVersion, boolean fallback, boolean damped, boolean outside) {
    }

    /** @param timestamp the first value the new model's forecast was served for */
    public record ModelChange(long timestamp, long fromVersion, long toVersion) {
    }

    static SeriesHistory of(String key, SeriesState state, int points, Forecast current) {
        ServedForecasts.Point[] served = state.served().last(points);
        List<Point> out = new ArrayList<>(served.length);
        List<ModelChange> changes = new ArrayList<>();
        long version = -1;
        int with = 0;
        int inside = 0;
        for (ServedForecasts.Point p : served) {
            boolean has = Double.isFinite(p.forecast());
            boolean interval = has && Double.isFinite(p.halfWidth());
            out.add(new Point(p.timestamp(), p.actual(), has ? p.forecast() : null, interval ? p.forecast() - p.halfWidth() : null,
                    interval ? p.forecast() + p.halfWidth() : null, has ? p.source().id() : null, p.modelVersion(), p.fallback(),
                    p.damped(), p.outside()));
            if (interval) {
                with++;
                inside += p.outside() ? 0 : 1;
            }
            if (has && p.modelVersion() > 0) {
                if (version >= 0 && p.modelVersion() != version) {
                    changes.add(new ModelChange(p.timestamp(), version, p.modelVersion()));
                }
                version = p.modelVersion();
            }
        }
        return new SeriesHistory(key, out, with == 0 ? null : (double) inside / with, changes, current);
    }
}
