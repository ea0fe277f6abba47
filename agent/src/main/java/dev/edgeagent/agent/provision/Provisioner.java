package dev.edgeagent.agent.provision;

import dev.edgeagent.profiles.DeviceProfiles;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.security.fs.AtomicFiles;
import dev.edgeagent.security.sign.TrustDocument;
import dev.edgeagent.security.sign.TrustFailure;
import dev.edgeagent.security.tls.PemTls;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import javax.net.ssl.SSLContext;

/**
 * {@code edgeagent provision}: checks every file, proves the settings by connecting once, and only then writes the
 * configuration and its own copies of the files beside it (so the device does not depend on where they were
 * handed over). Any failure before the writes leaves nothing behind.
 */
public final class Provisioner {
    static final String CA = "ca.pem";
    static final String CERT = "device.pem";
    static final String KEY = "device.key";
    static final String TRUST = "trust.json";

    private Provisioner() {}

    /** Returns the files written, in the order written (the configuration last). */
    public static List<Path> provision(ProvisionRequest r, BiConsumer<ProvisionRequest, SSLContext> broker, PrintStream out) {
        if (Files.exists(r.config()) && !r.force()) {
            throw new ProvisionException(ProvisionException.EXISTS, r.config() + " exists already; give --force to replace it");
        }
        byte[] ca = read("--ca", r.ca());
        byte[] cert = read("--cert", r.cert());
        byte[] key = read("--key", r.key());
        byte[] trust = read("--trust", r.trust());
        SSLContext tls;
        try {
            tls = PemTls.context(r.ca(), Optional.of(r.cert()), Optional.of(r.key()));
        } catch (PemTls.TlsMaterialException e) {
            throw new ProvisionException(ProvisionException.BAD_FILE, e.getMessage());
        }
        TrustDocument doc;
        try {
            doc = TrustDocument.selfSigned(trust);
        } catch (TrustFailure e) {
            throw new ProvisionException(ProvisionException.BAD_FILE, "--trust " + r.trust() + " is not a trust document signed by its "
                    + "own root keys ('edgectl trust init' makes one): " + e.getMessage());
        }
        try {
            DeviceProfiles.load(r.profile());
        } catch (IOException | RuntimeException e) {
            throw new ProvisionException(ProvisionException.BAD_FILE, "--profile " + r.profile() + ": " + e.getMessage()
                    + " (built-in: " + String.join(", ", DeviceProfiles.BUILTIN) + ")");
        }
        out.println("checked: CA, device certificate and its key, trust document v" + doc.version() + ", profile " + r.profile());
        broker.accept(r, tls);
        out.println("connected to " + r.broker() + " as " + r.deviceId() + " and disconnected");
        return write(r, ca, cert, key, trust, out);
    }

    private static List<Path> write(ProvisionRequest r, byte[] ca, byte[] cert, byte[] key, byte[] trust, PrintStream out) {
        Path dir = r.directory();
        Map<String, Object> config = config(r, dir);
        List<Path> written = new ArrayList<>();
        List<Path> created = new ArrayList<>();
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            put(dir.resolve(CA), ca, false, written, created);
            put(dir.resolve(CERT), cert, false, written, created);
            put(dir.resolve(KEY), key, true, written, created);
            put(dir.resolve(TRUST), trust, false, written, created);
            put(r.config(), Json.pretty(config), true, written, created);
        } catch (IOException e) {
            for (Path p : created) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // reported below with the first failure
                }
            }
            throw new ProvisionException(ProvisionException.BAD_FILE, "writing under " + dir + " failed: " + e.getMessage());
        }
        for (Path p : written) {
            out.println("wrote " + p);
        }
        out.println(new String(Json.pretty(config), java.nio.charset.StandardCharsets.UTF_8));
        return written;
    }

    private static void put(Path target, byte[] content, boolean ownerOnly, List<Path> written, List<Path> created) throws IOException {
        boolean existed = Files.exists(target);
        if (ownerOnly) {
            AtomicFiles.writePrivate(target, content);
        } else {
            AtomicFiles.write(target, content);
        }
        written.add(target);
        if (!existed) {
            created.add(target);
        }
    }

    /** The configuration: only what was given; every other field keeps the agent's default. */
    static Map<String, Object> config(ProvisionRequest r, Path dir) {
        Map<String, Object> tls = new LinkedHashMap<>();
        tls.put("ca", dir.resolve(CA).toString());
        tls.put("cert", dir.resolve(CERT).toString());
        tls.put("key", dir.resolve(KEY).toString());
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("deviceId", r.deviceId().value());
        c.put("broker", r.broker().toString());
        c.put("mqttTls", tls);
        c.put("trust", Map.of("document", dir.resolve(TRUST).toString()));
        c.put("profile", r.profile());
        if (!r.groups().isEmpty()) {
            c.put("groups", r.groups());
        }
        if (!r.insecureRegistries().isEmpty()) {
            c.put("insecureRegistries", r.insecureRegistries()); // plain HTTP registries: a lab's, on a network it trusts
        }
        return c;
    }

    private static byte[] read(String option, Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ProvisionException(ProvisionException.BAD_FILE, option + " " + file + " cannot be read: "
                    + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()));
        }
    }
}
