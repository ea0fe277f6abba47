package dev.edgeagent.edgectl;

import dev.edgeagent.ota.OtaException;
import dev.edgeagent.ota.registry.Credentials;
import dev.edgeagent.ota.registry.RegistryClient;
import dev.edgeagent.ota.registry.RetryPolicy;
import dev.edgeagent.ota.registry.TransportSettings;
import dev.edgeagent.ota.sign.CosignPublisher;
import dev.edgeagent.protocol.ImageRef;
import dev.edgeagent.security.sign.SigningKey;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@code edgectl sign-image REF --key BUILD.key}: signs the image's manifest digest and pushes the signature, cosign style. */
final class SignImageCommand {
    private SignImageCommand() {}

    static int run(String ref, Args a, PrintStream out, PrintStream err) throws Args.UsageError {
        ImageRef image = ImageRef.parse(ref);
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
