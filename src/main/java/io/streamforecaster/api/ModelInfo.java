package io.streamforecaster.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The answer of {@code GET /series/{key}/model}. MAEs are null before any forecast was scored. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ModelInfo(String key, String variant, long version, String trainedAt, double trainingLoss,
                        long observations, long trainedOnObservations, int nSteps, int units, int parameters,
                        Double onlineMae, Double naiveMae, long scoredForecasts) {
}
