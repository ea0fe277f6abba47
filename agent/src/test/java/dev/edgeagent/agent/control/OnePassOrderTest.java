package dev.edgeagent.agent.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.agent.trust.SequenceStore;
import dev.edgeagent.agent.trust.TrustStore;
import dev.edgeagent.protocol.DeviceId;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.security.sign.Envelope;
import dev.edgeagent.security.sign.ImageRule;
import dev.edgeagent.security.sign.KeyId;
import dev.edgeagent.security.sign.KeyKind;
import dev.edgeagent.security.sign.Role;
import dev.edgeagent.security.sign.SignedOrder;
import dev.edgeagent.security.sign.SigningKey;
import dev.edgeagent.security.sign.TrustDocument;
import dev.edgeagent.security.sign.VerificationKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An order's bytes are parsed once on the way in (issue 12): the gate parses, the decoder reads the fields it
 * parsed, and a refusal names the order's id from them. Counted with {@link Json#parses()}, a refused deploy is used
 * so that nothing past the decoder runs.
 */
class OnePassOrderTest {
    static final SigningKey ROOT = SigningKey.generate(KeyKind.ED25519);
    static final SigningKey OPERATOR = SigningKey.generate(KeyKind.ED25519);
    // a valid JSON object that is not a valid deploy: refused by the decoder, with its id
    static final String BAD_DEPLOY = "{\"id\":\"op-1\",\"app\":\"demo\",\"image\":\"not a reference\"}";

    @TempDir
    Path dir;

    final List<String> replies = new ArrayList<>();

    CommandDispatcher dispatcher() {
        ControlChannel channel = new ControlChannel() {
            @Override public void start(CommandHandler handler) {}
            @Override public void reply(ReplyTo to, byte[] payload) { replies.add(new String(payload, StandardCharsets.UTF_8)); }
            @Override public void event(byte[] payload) {}
            @Override public long dropped() { return 0; }
            @Override public void status(byte[] payload) {}
            @Override public void close() {}
        };
        return new CommandDispatcher(new DeviceId("dev-1"), channel, null, null, null, null, 65536, Clock.systemUTC());
    }

    @Test
    void anUnsignedOrderIsParsedOnce() {
        CommandDispatcher d = dispatcher(); // a lab agent: no trust document, bare orders over MQTT
        long before = Json.parses();
        d.dispatch("deploy", BAD_DEPLOY.getBytes(StandardCharsets.UTF_8), ReplyTo.DEFAULT);
        assertEquals(1, Json.parses() - before, "parses of one unsigned order");
        assertEquals(1, replies.size());
        assertTrue(replies.get(0).contains("\"op-1\"") && replies.get(0).contains("BAD_REQUEST"), replies.get(0));
    }

    @Test
    void anOrderFromTheLocalSocketIsNotParsedAgain() throws Exception {
        CommandDispatcher d = dispatcher();
        Map<String, Object> order = Json.object(BAD_DEPLOY.getBytes(StandardCharsets.UTF_8)); // the socket's one parse
        long before = Json.parses();
        d.dispatchLocal("deploy", order, reply -> replies.add(new String(reply, StandardCharsets.UTF_8)));
        assertEquals(0, Json.parses() - before, "parses after the socket read the request");
        assertEquals(1, replies.size());
        assertTrue(replies.get(0).contains("\"op-1\"") && replies.get(0).contains("BAD_REQUEST"), replies.get(0));
    }

    @Test
    void aSignedOrderIsParsedOnceInsideItsEnvelope() throws Exception {
        TrustDocument trust = new TrustDocument(1, Instant.now(), Map.<KeyId, VerificationKey>of(ROOT.id(), ROOT.publicKey(),
                OPERATOR.id(), OPERATOR.publicKey()), new Role(Set.of(ROOT.id()), 1), new Role(Set.of(OPERATOR.id()), 1),
                List.of(new ImageRule("*", Optional.empty())));
        Path provisioned = dir.resolve("trust.json");
        Files.write(provisioned, Envelope.sign(TrustDocument.PAYLOAD_TYPE, trust.toJson(), List.of(ROOT)).toJson());
        TrustStore store = TrustStore.open(dir.resolve("trust"), provisioned);
        CommandDispatcher d = dispatcher();
        d.requireSigned(store, new SignedOrderGate(store, Set.of("dev-1"), Clock.systemUTC()), new SequenceStore(dir.resolve("trust")));
        Instant now = Instant.now();
        byte[] wire = new SignedOrder("dev-1", "deploy", now, now.plusSeconds(300), 1, BAD_DEPLOY.getBytes(StandardCharsets.UTF_8))
                .signWith(List.of(OPERATOR)).toJson();

        long before = Json.parses();
        d.dispatch("deploy", wire, ReplyTo.DEFAULT);
        // the envelope, then the statement inside it (the order is one of its fields): two documents, each once
        assertEquals(2, Json.parses() - before, "parses of one signed order");
        assertEquals(1, replies.size());
        assertTrue(replies.get(0).contains("\"op-1\"") && replies.get(0).contains("BAD_REQUEST"), replies.get(0));
    }
}
