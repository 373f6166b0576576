package io.streamforecaster.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The answer of {@code GET /series/{key}/model}. MAEs are null before any forecast was scored.
 *
 * @param onlineMae recent MAE of the forecasts the key served (model or naive)
 * @param naiveMae recent MAE of the naive last-value forecast on the same points
 * @param modelMae recent MAE of the current model's own forecasts (held-out, then online), also while it is set aside
 * @param modelNaiveMae naive's MAE on the same points as {@code modelMae}
 * @param serving {@code lstm}, or {@code naive} while the model is set aside (fallback) or cannot forecast
 * @param fallback whether the key now serves naive because its model did worse than naive
 * @param fallbacks how often the key fell back to naive
 * @param promotions retrained models that replaced the previous one (version - 1)
 * @param rejections retrained models this model has beaten on held-out data
 * @param holdout the latest check on held-out observations (with scope {@code shared}: relative MAEs, each key's over its naive MAE, averaged)
 * @param scope {@code per-key}, or {@code shared} when the model is its partition's, trained on the windows of its keys
 * @param schedule why and when the key is next trained
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ModelInfo(String key, String variant, long version, String trainedAt, double trainingLoss,
                        long observations, long trainedOnObservations, int nSteps, int units, int parameters,
                        Double onlineMae, Double naiveMae, long scoredForecasts,
                        Double modelMae, Double modelNaiveMae, String serving, boolean fallback, long fallbacks,
                        long promotions, long rejections, Holdout holdout, String scope, Schedule schedule) {

    /**
     * @param checkedAt when the model was installed or last defended against a challenger
     * @param points held-out observations of that check (0: none)
     * @param mae this model's MAE on them
     * @param naiveMae naive's MAE on them
     * @param challengerMae MAE of the last challenger it beat, null if none
     */
    /**
     * @param reason why the key would be trained next: {@code first-model}, {@code fallback} (its model is set aside for
     *               naive), {@code drift} (its model drifted since its last check) or {@code age}
     * @param dueAt when it may be trained (its model must serve {@code interval} first), ISO-8601
     * @param interval that interval, ISO-8601: {@code training.interval}, doubled per challenger the model beat while it
     *                 does well, up to {@code training.max-interval}
     * @param observationsNeeded new observations it still needs (0 once it has them); null with the shared
     *                           scope, whose model the partition's keys together bring them for
     * @param drifting whether its model drifted since its last check
     * @param driftDetections drifts found for this key so far
     * @param driftStatistic the drift test's statistic now (a drift is declared above {@code drift.threshold})
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Schedule(String reason, String dueAt, String interval, Long observationsNeeded, boolean drifting,
                           long driftDetections, double driftStatistic) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Holdout(String checkedAt, int points, Double mae, Double naiveMae, Double challengerMae) {
    }
}
