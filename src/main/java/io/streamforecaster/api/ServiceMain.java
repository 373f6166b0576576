package io.streamforecaster.api;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * The service's entry point ({@code java -jar quarkus-run.jar}). Before Quarkus starts, it hands
 * the check of request URIs from Quarkus' HTTP layer, which answers a malformed one with a bare
 * 400, to {@link RequestUriCheck}, which answers with a JSON reason and lets {@link PathKey} judge
 * keys. An explicit {@code -Dvertx.disableURIValidation} is left as given.
 */
@QuarkusMain
public final class ServiceMain {

    private ServiceMain() {
    }

    public static void main(String... args) {
        if (System.getProperty(RequestUriCheck.QUARKUS_SWITCH) == null) {
            System.setProperty(RequestUriCheck.QUARKUS_SWITCH, "true");
        }
        Quarkus.run(args);
    }
}
