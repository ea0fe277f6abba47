package dev.edgeagent.ota.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A response body read as an InputStream that gives up when no byte arrives for {@code idle}. The JDK's own
 * {@code BodyHandlers.ofInputStream()} waits for ever once the headers are in: a registry (or a link) that stalls in
 * the middle of a blob would hang the pull. This one ends the read with an {@link HttpTimeoutException}, which the
 * caller treats as a network failure (resumed from the bytes it has). No thread of its own: the reader waits with a
 * timeout on the buffers the client hands over, one request at a time.
 */
final class IdleTimeoutBody implements HttpResponse.BodySubscriber<InputStream> {
    private static final Object END = new Object();

    private final long idleMillis;
    private final BlockingQueue<Object> arrived = new LinkedBlockingQueue<>();
    private final CompletableFuture<Flow.Subscription> subscription = new CompletableFuture<>();
    private final InputStream stream = new Stream();

    IdleTimeoutBody(Duration idle) {
        this.idleMillis = Math.max(1, idle.toMillis());
    }

    static HttpResponse.BodyHandler<InputStream> handler(Duration idle) {
        return info -> new IdleTimeoutBody(idle);
    }

    @Override
    public CompletionStage<InputStream> getBody() {
        return CompletableFuture.completedStage(stream);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        if (!subscription.complete(s)) {
            s.cancel();
            return;
        }
        s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        arrived.add(item);
    }

    @Override
    public void onError(Throwable error) {
        arrived.add(error);
    }

    @Override
    public void onComplete() {
        arrived.add(END);
    }

    private final class Stream extends InputStream {
        private Iterator<ByteBuffer> buffers = List.<ByteBuffer>of().iterator();
        private ByteBuffer current = ByteBuffer.allocate(0);
        private boolean ended;
        private boolean closed;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, current.remaining());
            current.get(b, off, n);
            return n;
        }

        /** True once {@code current} holds a byte; false at the end of the body. */
        private boolean fill() throws IOException {
            while (!current.hasRemaining()) {
                if (buffers.hasNext()) {
                    current = buffers.next();
                    continue;
                }
                if (ended) {
                    return false;
                }
                if (closed) {
                    throw new IOException("body closed");
                }
                Object next;
                try {
                    next = arrived.poll(idleMillis, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while reading a response body");
                }
                if (next == null) {
                    close();
                    throw new HttpTimeoutException("no byte arrived for " + idleMillis + " ms in the middle of the body");
                }
                if (next == END) {
                    ended = true;
                    return false;
                }
                if (next instanceof Throwable t) {
                    ended = true;
                    throw t instanceof IOException io ? io : new IOException(t);
                }
                @SuppressWarnings("unchecked")
                List<ByteBuffer> list = (List<ByteBuffer>) next;
                buffers = list.iterator();
                subscription.join().request(1);
            }
            return true;
        }

        @Override
        public int available() {
            return current.remaining();
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                // Cancelling lets the client drop the connection rather than drain a body nobody reads.
                subscription.thenAccept(Flow.Subscription::cancel);
            }
        }
    }
}
