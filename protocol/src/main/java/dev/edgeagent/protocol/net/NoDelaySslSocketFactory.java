package dev.edgeagent.protocol.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * TLS sockets with TCP_NODELAY, for the same reason as {@link NoDelaySocketFactory}; optionally each handed to a
 * wrapper before it is returned (the agent's MQTT channel wraps them for Paho).
 */
public final class NoDelaySslSocketFactory extends SSLSocketFactory {
    private final SSLSocketFactory tls;
    private final UnaryOperator<SSLSocket> wrap;

    public NoDelaySslSocketFactory(SSLSocketFactory tls) {
        this(tls, UnaryOperator.identity());
    }

    public NoDelaySslSocketFactory(SSLSocketFactory tls, UnaryOperator<SSLSocket> wrap) {
        this.tls = tls;
        this.wrap = wrap;
    }

    private Socket noDelay(Socket s) throws IOException {
        s.setTcpNoDelay(true);
        return wrap.apply((SSLSocket) s);
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return tls.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return tls.getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket() throws IOException {
        return noDelay(tls.createSocket());
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
        return noDelay(tls.createSocket(s, host, port, autoClose));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return noDelay(tls.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return noDelay(tls.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return noDelay(tls.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return noDelay(tls.createSocket(address, port, localAddress, localPort));
    }
}
