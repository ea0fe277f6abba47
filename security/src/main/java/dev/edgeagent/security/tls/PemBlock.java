package dev.edgeagent.security.tls;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One {@code -----BEGIN LABEL-----} block of a PEM file, its base64 body decoded; text around blocks is ignored. */
record PemBlock(String label, byte[] der) {
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----");

    static List<PemBlock> all(String text) throws IOException {
        List<PemBlock> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            String body = m.group(2);
            if (body.contains(":")) {
                throw new IOException("PEM block " + m.group(1) + " has headers (an encrypted legacy key?); it cannot be read");
            }
            try {
                out.add(new PemBlock(m.group(1), Base64.getMimeDecoder().decode(body.strip())));
            } catch (IllegalArgumentException e) {
                throw new IOException("PEM block " + m.group(1) + " is not base64: " + e.getMessage(), e);
            }
        }
        return out;
    }
}
