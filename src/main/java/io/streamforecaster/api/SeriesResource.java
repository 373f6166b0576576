package io.streamforecaster.api;

import io.streamforecaster.history.SeriesState;
import io.streamforecaster.model.ModelSnapshot;
import io.streamforecaster.stream.Forecast;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BiFunction;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Per-series answers for any key from any instance: the instance that owns the key answers from
 * its stores; any other forwards the request there once (interactive queries).
 */
@Path("/series/{key}")
@Produces(MediaType.APPLICATION_JSON)
public class SeriesResource {

    static final String FORWARDED = "X-Forecaster-Forwarded";
    /** What 503 answers ask clients to wait, in seconds: about one rebalance. */
    static final String RETRY_AFTER_SECONDS = "2";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Inject
    SeriesQueries queries;

    @GET
    @Path("/forecast")
    public Response forecast(@PathParam("key") String key, @HeaderParam(FORWARDED) String forwarded) {
        return answer(key, "forecast", forwarded, (state, model) -> queries.forecast(key, state));
    }

    @GET
    @Path("/model")
    public Response model(@PathParam("key") String key, @HeaderParam(FORWARDED) String forwarded) {
        return answer(key, "model", forwarded, (state, model) -> model == null ? null : info(key, state, model, queries.scope()));
    }

    private Response answer(String key, String what, String forwarded, BiFunction<SeriesState, ModelSnapshot, Object> read) {
        SeriesQueries.Location location = queries.locate(key);
        if (location instanceof SeriesQueries.Local local) {
            Object body = read.apply(local.state(), local.model());
            return body == null
                    ? error(Response.Status.NOT_FOUND, "no " + what + " for key '" + key + "'")
                    : Response.ok(body).build();
        }
        if (location instanceof SeriesQueries.Remote remote) {
            return forwarded != null
                    ? retryLater("key moved while the request was forwarded; retry")
                    : forward(remote.host(), key, what);
        }
        return retryLater(((SeriesQueries.Unavailable) location).why());
    }

    /** 503 with {@code Retry-After}: the key is moving between instances (or they are starting); asking again shortly works. */
    private static Response retryLater(String why) {
        return Response.status(Response.Status.SERVICE_UNAVAILABLE).header("Retry-After", RETRY_AFTER_SECONDS)
                .entity(new ErrorBody(why)).build();
    }

    private static ModelInfo info(String key, SeriesState state, ModelSnapshot m, String scope) {
        Double online = state == null || Double.isNaN(state.onlineMae()) ? null : state.onlineMae();
        Double naive = state == null || Double.isNaN(state.naiveMae()) ? null : state.naiveMae();
        boolean judged = state != null && state.judgedVersion() == m.version();
        var a = m.assessment();
        return new ModelInfo(key, m.variant().id(), m.version(), Instant.ofEpochMilli(m.trainedAt()).toString(),
                m.trainingLoss(), state == null ? m.observations() : state.observations(), m.observations(),
                m.nSteps(), m.units(), m.parameterCount(), online, naive, state == null ? 0 : state.scored(),
                judged ? orNull(state.judgedModelMae()) : null, judged ? orNull(state.judgedNaiveMae()) : null,
                state == null || state.forecastSource() == SeriesState.Source.NONE ? null : state.forecastSource().id(),
                state != null && state.fallback(), state == null ? 0 : state.fallbacks(),
                m.version() - 1, a.rejections(),
                new ModelInfo.Holdout(Instant.ofEpochMilli(a.checkedAt()).toString(), a.holdoutPoints(),
                        orNull(a.holdoutMae()), orNull(a.holdoutNaiveMae()), orNull(a.challengerMae())), scope);
    }

    private static Double orNull(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static Response forward(HostInfo host, String key, String what) {
        try {
            URI uri = new URI("http", null, host.host(), host.port(), "/series/" + key + "/" + what, null, null);
            HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5))
                    .header(FORWARDED, "1").GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            Response.ResponseBuilder answer = Response.status(r.statusCode()).type(MediaType.APPLICATION_JSON).entity(r.body());
            r.headers().firstValue("Retry-After").ifPresent(v -> answer.header("Retry-After", v));
            return answer.build();
        } catch (IOException e) {
            // the owner is stopping or gone: its partitions move to another instance shortly
            return retryLater("instance " + host + " that owns the key did not answer (" + e.getMessage() + "); its keys are moving, retry");
        } catch (URISyntaxException e) {
            return error(Response.Status.BAD_GATEWAY, "instance " + host + " that owns the key has an unusable address: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return error(Response.Status.SERVICE_UNAVAILABLE, "interrupted");
        }
    }

    private static Response error(Response.Status status, String message) {
        return Response.status(status).entity(new ErrorBody(message)).build();
    }

    /** Error answers carry a reason a person can read. */
    public record ErrorBody(String error) {
    }
}
