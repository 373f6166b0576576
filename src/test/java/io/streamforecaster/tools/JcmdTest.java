package io.streamforecaster.tools;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class JcmdTest {

    @Test
    void shouldRunACommandAgainstALiveJvm() {
        Jcmd.Result r = Jcmd.run(ProcessHandle.current().pid(), Duration.ofMinutes(1), "VM.version");

        assertTrue(r.ok(), r::output);
        assertTrue(r.output().contains("JDK"), r::output);
    }

    @Test
    void shouldSayWhenThereIsNoSuchJvm() {
        Jcmd.Result r = Jcmd.run(Integer.MAX_VALUE, Duration.ofMinutes(1), "VM.version");

        assertFalse(r.ok(), r::output);
    }
}
