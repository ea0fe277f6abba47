package dev.edgeagent.agent.control;

/** The agent's side of the control plane: orders come in, replies, events and status go out. */
public interface ControlChannel extends AutoCloseable {
    /**
     * Receives one command on the channel's own thread: it must hand the work off, not do it there, and call
     * {@code done} once the order is carried out and answered. Only then is it acknowledged to the broker, so an
     * order the agent dies in the middle of is delivered again.
     */
    @FunctionalInterface
    interface CommandHandler {
        void onCommand(String name, byte[] payload, ReplyTo replyTo, Runnable done);
    }

    void start(CommandHandler handler) throws Exception;

    void reply(ReplyTo to, byte[] payload);

    void event(byte[] payload);

    /** Events and replies lost while the broker was away, past the outbox's limit. */
    long dropped();

    /** Publishes the retained status; the newest one wins. */
    void status(byte[] payload);

    @Override
    void close();
}
