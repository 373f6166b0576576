package io.streamforecaster.config;

/** What a key without a model gets. */
public enum ColdStart {
    NAIVE,
    SKIP
}
