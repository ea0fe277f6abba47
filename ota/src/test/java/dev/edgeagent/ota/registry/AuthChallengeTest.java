package dev.edgeagent.ota.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuthChallengeTest {
    @Test
    void readsABearerChallenge() {
        AuthChallenge c = AuthChallenge.parse("Bearer realm=\"https://auth.example/token\",service=\"registry.example\","
                + "scope=\"repository:team/app:pull\"").orElseThrow();
        assertEquals("bearer", c.scheme());
        assertEquals(Optional.of("https://auth.example/token"), c.param("realm"));
        assertEquals(Optional.of("registry.example"), c.param("service"));
        assertEquals(Optional.of("repository:team/app:pull"), c.param("scope"));
    }

    @Test
    void readsBasicAndUnquotedAndEscapedValues() {
        assertEquals("basic", AuthChallenge.parse("Basic realm=\"r\"").orElseThrow().scheme());
        AuthChallenge c = AuthChallenge.parse("Bearer realm=plain, error=\"say \\\"hi\\\"\"").orElseThrow();
        assertEquals(Optional.of("plain"), c.param("realm"));
        assertEquals(Optional.of("say \"hi\""), c.param("error"));
        assertTrue(AuthChallenge.parse("").isEmpty());
        assertTrue(AuthChallenge.parse(null).isEmpty());
    }

    @Test
    void backoffGrowsAndIsCapped() {
        RetryPolicy p = new RetryPolicy(10, Duration.ofMillis(100), Duration.ofSeconds(1));
        assertEquals(Duration.ZERO, p.delayBefore(1));
        assertEquals(Duration.ofMillis(100), p.delayBefore(2));
        assertEquals(Duration.ofMillis(200), p.delayBefore(3));
        assertEquals(Duration.ofMillis(800), p.delayBefore(5));
        assertEquals(Duration.ofSeconds(1), p.delayBefore(9));
        assertTrue(RetryPolicy.isRetryableStatus(503));
        assertTrue(!RetryPolicy.isRetryableStatus(404));
    }
}
