package dev.edgeagent.runtime.network;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * An app's /etc/hosts: itself and the apps it shares a network with, by app name. The file is bound into the
 * container, so a change is written into the same file (a rename would leave the container on the old one).
 */
final class HostsFile {
    private HostsFile() {}

    static String render(String app, String ownAddress, Map<String, String> peers) {
        StringBuilder s = new StringBuilder("127.0.0.1\tlocalhost\n::1\tlocalhost\n");
        s.append(ownAddress).append('\t').append(app).append('\n');
        peers.forEach((name, address) -> s.append(address).append('\t').append(name).append('\n'));
        return s.toString();
    }

    static void write(Path file, String content) throws IOException {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), 0);
            ch.truncate(bytes.length);
            ch.force(false);
        }
    }
}
