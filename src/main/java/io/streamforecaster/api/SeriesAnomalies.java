package io.streamforecaster.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.streamforecaster.anomaly.Anomaly;
import io.streamforecaster.state.Anomalies;
import io.streamforecaster.state.SeriesState;
import io.streamforecaster.stream.AnomalyRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * The answer of {@code GET /series/{key}/anomalies}: the key's last anomalies (at most
 * {@value Anomalies#RECENT}, oldest first, each as on the anomalies topic) and the score of its
 * latest observation.
 *
 * @param latestScore the anomaly score of the key's latest observation, null before its first one
 *                    since the key's state has had anomaly scoring
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record SeriesAnomalies(String key, Double latestScore, List<AnomalyRecord> anomalies) {

    static SeriesAnomalies of(String key, SeriesState state) {
        Anomalies part = state.anomalies();
        List<AnomalyRecord> out = new ArrayList<>();
        for (Anomaly a : part.recent()) {
            out.add(AnomalyRecord.of(key, a));
        }
        return new SeriesAnomalies(key, Double.isFinite(part.lastScore()) ? part.lastScore() : null, out);
    }
}
