package dev.edgeagent.protocol.net;

import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.eclipse.paho.mqttv5.client.internal.CommsCallback;
import org.eclipse.paho.mqttv5.client.internal.CommsReceiver;
import org.eclipse.paho.mqttv5.client.internal.CommsSender;

/**
 * The threads of one MQTT session's Paho clients, given to each client as its executor (the agent's channel, its
 * provisioning probe, edgectl). What Paho runs in the background (its connect and disconnect, its receive, send and
 * callback loops) gets a thread of its own, as without an executor; its keep-alive pings run on this executor's one
 * scheduler thread, in place of a Timer thread per client. All of them are daemon threads.
 *
 * <p>Why it exists: Paho 1.2.5 starts each of its three loops and then checks at once whether the loop runs, which it
 * never does yet, then sleeps 100 ms between checks (eclipse-paho/paho.mqtt.java#945, open). Every connect lost 300 ms
 * to those sleeps, a third of the agent's start (issue 12). Here the connecting thread is woken as soon as the loop
 * it started runs: the interrupt ends its sleep, Paho ignores the interrupt and checks again. Only a thread of this
 * executor is woken: the one Paho connects on, which starts the loops and then only queues CONNECT before it ends.
 */
public final class PahoThreads extends ScheduledThreadPoolExecutor {
    /** How often the scheduler looks whether a loop just started runs, and for how long at most. */
    private static final long LOOK_EVERY_MICROS = 500;
    private static final int LOOKS = 400;

    private final String name;
    /** Set on this executor's own threads: only they are ever woken. */
    private final ThreadLocal<Boolean> ours = ThreadLocal.withInitial(() -> false);

    public PahoThreads(String name) {
        super(1, r -> {
            Thread t = new Thread(r, name + "-ping");
            t.setDaemon(true);
            return t;
        });
        this.name = name;
        setRemoveOnCancelPolicy(true);
        setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @Override
    public void execute(Runnable task) {
        submit(task);
    }

    @Override
    public Future<?> submit(Runnable task) {
        if (isShutdown()) {
            throw new RejectedExecutionException("this MQTT session is closed");
        }
        FutureTask<Void> future = new FutureTask<>(task, null);
        Thread thread = new Thread(() -> { // Paho names its loops itself once they run
            ours.set(true);
            future.run();
        }, name);
        thread.setDaemon(true);
        thread.start();
        BooleanSupplier running = loopRunning(task);
        if (running != null && ours.get()) {
            wakeOnceRunning(Thread.currentThread(), running, LOOKS);
        }
        return future;
    }

    /** Whether {@code task} is one of the Paho loops whose start waits for it to run, and how to tell that it does. */
    private static BooleanSupplier loopRunning(Runnable task) {
        if (task instanceof CommsReceiver r) {
            return r::isRunning;
        }
        if (task instanceof CommsSender s) {
            return s::isRunning;
        }
        if (task instanceof CommsCallback c) {
            return c::isRunning;
        }
        return null;
    }

    private void wakeOnceRunning(Thread starter, BooleanSupplier running, int looksLeft) {
        try {
            schedule(() -> {
                if (running.getAsBoolean()) {
                    // Ends the 100 ms sleep; the start sees the loop run and returns. Should the start have seen it
                    // first, the interrupt meets the next start's sleep, or the connect thread's end: nothing waits.
                    starter.interrupt();
                } else if (looksLeft > 1) {
                    wakeOnceRunning(starter, running, looksLeft - 1);
                }
            }, LOOK_EVERY_MICROS, TimeUnit.MICROSECONDS);
        } catch (RejectedExecutionException e) {
            // closing: the start sleeps as Paho meant it to
        }
    }
}
