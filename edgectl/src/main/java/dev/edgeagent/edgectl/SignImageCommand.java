package dev.edgeagent.edgectl;

import dev.edgeagent.ota.OtaException;
import dev.edgeagent.ota.registry.Credentials;
import dev.edgeagent.ota.registry.RegistryClient;
import dev.edgeagent.ota.registry.RetryPolicy;
import dev.edgeagent.ota.registry.TransportSettings;
import dev.edgeagent.ota.sign.BundlePublisher;
import dev.edgeagent.ota.sign.CosignPublisher;
import dev.edgeagent.protocol.ImageRef;
import dev.edgeagent.security.sign.SigningKey;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code edgectl sign-image REF --key BUILD.key [--format bundle|legacy]}: signs the image's manifest digest and
 * pushes the signature as cosign does: the legacy {@code sha256-<hex>.sig} layout (the default, as agents released
 * before bundle support read only that), or a Sigstore bundle attached as an OCI referrer (cosign 3's default).
 */
final class SignImageCommand {
    private SignImageCommand() {}

    static int run(String ref, Args a, PrintStream out, PrintStream err) throws Args.UsageError {
        ImageRef image = ImageRef.parse(ref);
        String format = a.get("--format").orElse("legacy");
        if (!format.equals("bundle") && !format.equals("legacy")) {
            throw new Args.UsageError("--format is bundle (a Sigstore bundle as an OCI referrer) or legacy (the sha256-<hex>.sig tag), not '"
                    + format + "'");
        }
        SigningKey key = OperatorKey.read(Path.of(a.require("--key")), OperatorKey.password(a));
        Set<String> insecure = a.flag("--insecure") ? Set.of(image.registry()) : Set.of();
        Map<String, Credentials> creds = Map.of();
        Optional<String> user = a.get("--username").or(() -> Optional.ofNullable(System.getenv("EDGE_REGISTRY_USER")));
        if (user.isPresent()) {
            String password = Optional.ofNullable(System.getenv("EDGE_REGISTRY_PASSWORD"))
                    .orElseThrow(() -> new Args.UsageError("a registry user name needs $EDGE_REGISTRY_PASSWORD"));
            creds = Map.of(image.registry(), new Credentials(user.get(), password));
        }
        TransportSettings settings = new TransportSettings(insecure, a.get("--ca").map(Path::of), creds, RetryPolicy.DEFAULT,
                Duration.ofSeconds(60));
        try {
            if (format.equals("bundle")) {
                BundlePublisher.Published p = new BundlePublisher(RegistryClient.create(settings)).sign(image, key);
                out.println("signed " + p.repository() + "@" + p.manifest() + " with key " + key.id().shortForm());
                out.println("  Sigstore bundle in manifest " + p.bundleManifest() + ", listed through " + p.listedAt());
                return Main.OK;
            }
            CosignPublisher.Published p = new CosignPublisher(RegistryClient.create(settings)).sign(image, key);
            out.println("signed " + p.repository() + "@" + p.manifest() + " with key " + key.id().shortForm());
            out.println("  signature at " + p.repository() + ":" + p.tag() + " (" + p.signatures() + " signature(s) there)");
            return Main.OK;
        } catch (OtaException e) {
            err.println("edgectl: sign-image failed [" + e.code() + "]: " + e.getMessage());
            return e.code() == dev.edgeagent.protocol.ErrorCode.REGISTRY_UNREACHABLE ? Main.UNREACHABLE : Main.FAILED;
        }
    }
}
