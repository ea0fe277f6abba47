package dev.edgeagent.agent.control;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Makes the control channel and connects it on a thread of its own while the agent sets itself up. The connection
 * (TLS context, handshake, CONNECT, subscriptions) took half of the agent's start and needs nothing the local set-up
 * makes (issue 12); on two cores the two now overlap. Orders the broker delivers before the agent is ready are held
 * by the handler given here ({@link StartGate}). The thread ends once connected.
 */
public final class ConnectAhead {
    /** Makes the channel: its TLS context and client, nothing that talks to the broker yet. */
    public interface Maker {
        ControlChannel make() throws Exception;
    }

    private final CompletableFuture<ControlChannel> made = new CompletableFuture<>();
    private final CompletableFuture<Void> connected = new CompletableFuture<>();
    private volatile boolean abandoned;

    private ConnectAhead() {}

    /** Starts making and connecting the channel; {@code handler} gets what arrives from the broker from CONNACK on. */
    public static ConnectAhead begin(Maker maker, ControlChannel.CommandHandler handler) {
        ConnectAhead ahead = new ConnectAhead();
        new Thread(() -> ahead.run(maker, handler), "mqtt-connect").start();
        return ahead;
    }

    private void run(Maker maker, ControlChannel.CommandHandler handler) {
        ControlChannel channel;
        try {
            channel = maker.make();
        } catch (Exception | Error e) {
            made.completeExceptionally(e);
            connected.completeExceptionally(e);
            return;
        }
        made.complete(channel);
        if (abandoned) {
            connected.completeExceptionally(new IllegalStateException("the agent's start was abandoned before it connected"));
            return;
        }
        try {
            channel.start(handler);
            connected.complete(null);
        } catch (Exception | Error e) {
            connected.completeExceptionally(e);
        }
    }

    /** The channel, once made (it need not be connected yet); what making it threw, as it was thrown. */
    public ControlChannel channel() throws Exception {
        return await(made);
    }

    /** Returns once connected and subscribed; what connecting threw, as it was thrown (the broker's refusal, say). */
    public void awaitConnected() throws Exception {
        await(connected);
    }

    /**
     * For a start that failed before it was connected: the channel is closed as soon as it exists (now, or when its
     * maker returns), which also fails a connect under way, so no connection or thread of the failed start lives on.
     */
    public void abandon() {
        abandoned = true;
        made.thenAccept(ControlChannel::close);
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw e;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw (Error) e.getCause();
        }
    }
}
