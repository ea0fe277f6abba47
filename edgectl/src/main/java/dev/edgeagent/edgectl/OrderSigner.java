package dev.edgeagent.edgectl;

import dev.edgeagent.security.sign.SignedOrder;
import dev.edgeagent.security.sign.SigningKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * Wraps each order in a DSSE envelope signed by the operator key. Sequence numbers are microseconds since the epoch,
 * so orders from one key keep growing across edgectl runs without a counter file; a device refuses one that
 * does not exceed the last it took.
 */
final class OrderSigner {
    static final Duration ORDER_VALIDITY = Duration.ofMinutes(10);
    static final Duration DESIRED_VALIDITY = Duration.ofDays(90);

    private final Optional<SigningKey> key;
    private final Clock clock;
    private long lastSequence;

    OrderSigner(Optional<SigningKey> key, Clock clock) {
        this.key = key;
        this.clock = clock;
    }

    /** Publishes {@code doc} retained on {@code topic}, signed for {@code target} as a desired state. */
    void sign(BrokerSession session, String topic, String target, java.util.Map<String, Object> doc)
            throws org.eclipse.paho.mqttv5.common.MqttException {
        session.publishRetained(topic, wrap(target, "desired", dev.edgeagent.protocol.wire.Json.compact(doc), DESIRED_VALIDITY));
    }

    /** The bytes to publish: the order itself when unsigned (lab), else its signed envelope. */
    byte[] wrap(String target, String command, byte[] order, Duration validity) {
        if (key.isEmpty()) {
            return order;
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, clock.instant());
        lastSequence = Math.max(lastSequence + 1, micros);
        return new SignedOrder(target, command, now, now.plus(validity), lastSequence, order).signWith(List.of(key.get())).toJson();
    }
}
