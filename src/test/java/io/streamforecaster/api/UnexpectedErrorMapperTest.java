package io.streamforecaster.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class UnexpectedErrorMapperTest {

    @Test
    void aClientThatLeftIsNoFailureOfOurs() {
        // as Quarkus' VertxOutputStream reports it when the browser has gone mid-answer
        IOException gone = new IOException(new IOException("Failed to write", new IOException("Connection has been closed")));
        assertTrue(UnexpectedErrorMapper.clientGone(gone));
        assertTrue(UnexpectedErrorMapper.clientGone(new RuntimeException(new io.vertx.core.http.HttpClosedException("closed"))));
        assertFalse(UnexpectedErrorMapper.clientGone(new IOException("disk full")));
        assertFalse(UnexpectedErrorMapper.clientGone(new IllegalStateException("Connection has been closed")), "only I/O failures");
        assertFalse(UnexpectedErrorMapper.clientGone(new NullPointerException()));
    }

    @Test
    void eitherWayTheAnswerIsAJson500WithoutInternals() {
        var r = new UnexpectedErrorMapper().toResponse(new IOException(new IOException("Connection has been closed")));
        assertEquals(500, r.getStatus());
        assertTrue(((SeriesResource.ErrorBody) r.getEntity()).error().startsWith("internal error"));
    }
}
