package io.streamforecaster.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One key in the overview of every series ({@code GET /series}): what it serves and how well.
 *
 * @param source what it serves now: {@code lstm}, {@code damped} (its model's change halved), {@code naive} (no model
 *               yet) or {@code fallback} (naive, as its model did worse); null before its first forecast
 * @param modelVersion its model's version, 0 for none
 * @param trainedAt when that model was installed (ISO-8601), null for none
 * @param modelAgeSeconds its age now, null for none
 * @param onlineMae recent MAE of what it served
 * @param naiveMae recent MAE of naive on the same points
 * @param maeRatio {@code onlineMae / naiveMae}: below 1 beats naive; null before any scored forecast
 * @param coverage the share of its last served values (see {@code history.served-points}) that fell inside their interval
 * @param drifting whether its model drifted since its last check
 * @param observations observations it has had
 * @param lastTimestamp its newest observation's timestamp (epoch ms)
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record SeriesSummary(String key, String source, long modelVersion, String trainedAt, Long modelAgeSeconds,
                            Double onlineMae, Double naiveMae, Double maeRatio, Double coverage, boolean drifting,
                            long observations, long lastTimestamp) {
}
