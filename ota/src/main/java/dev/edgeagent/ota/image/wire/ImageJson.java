package dev.edgeagent.ota.image.wire;

import dev.edgeagent.ota.image.Descriptor;
import dev.edgeagent.ota.image.ImageConfig;
import dev.edgeagent.ota.image.ImageManifest;
import dev.edgeagent.protocol.wire.Fields;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.protocol.Digest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads manifest and config JSON into records; every refusal says which field was wrong. */
public final class ImageJson {
    private ImageJson() {}

    /** The media type a manifest declares in its body, falling back to what the registry's header said. */
    public static String declaredMediaType(byte[] body, String headerType) throws IOException {
        Object mt = Json.object(body).get("mediaType");
        return mt instanceof String s ? s : headerType;
    }

    public static ImageManifest manifest(byte[] body, String mediaType) throws IOException {
        Map<String, Object> root = Json.object(body);
        try {
            Fields f = new Fields(root, "");
            if (f.optionalLong("schemaVersion").orElse(0) != 2) {
                throw new IOException("manifest schemaVersion must be 2");
            }
            Descriptor config = descriptor(f.optionalObject("config")
                    .orElseThrow(() -> new IOException("manifest has no 'config'")), "config");
            if (!(root.get("layers") instanceof List<?> rawLayers)) {
                throw new IOException("manifest has no 'layers' list");
            }
            List<Descriptor> layers = new ArrayList<>();
            for (int i = 0; i < rawLayers.size(); i++) {
                if (!(rawLayers.get(i) instanceof Map<?, ?> m)) {
                    throw new IOException("layers[" + i + "] is not an object");
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> typed = (Map<String, Object>) m;
                layers.add(descriptor(new Fields(typed, "layers[" + i + "]"), "layers[" + i + "]"));
            }
            return new ImageManifest(mediaType, config, layers);
        } catch (Fields.WireException | IllegalArgumentException e) {
            throw new IOException("invalid manifest: " + e.getMessage(), e);
        }
    }

    public static ImageConfig config(byte[] body) throws IOException {
        Map<String, Object> root = Json.object(body);
        try {
            Fields f = new Fields(root, "");
            Optional<Fields> cfg = f.optionalObject("config");
            Fields rootfs = f.optionalObject("rootfs").orElseThrow(() -> new IOException("image config has no 'rootfs'"));
            List<Digest> diffIds = new ArrayList<>();
            for (String d : rootfs.optionalStrings("diff_ids").orElse(List.of())) {
                diffIds.add(Digest.parse(d));
            }
            return new ImageConfig(
                    f.requireString("os"), f.requireString("architecture"), f.optionalString("variant"),
                    cfg.isPresent() ? cfg.get().optionalStrings("Entrypoint").orElse(List.of()) : List.of(),
                    cfg.isPresent() ? cfg.get().optionalStrings("Cmd").orElse(List.of()) : List.of(),
                    cfg.isPresent() ? cfg.get().optionalStrings("Env").orElse(List.of()) : List.of(),
                    cfg.isPresent() ? cfg.get().optionalString("WorkingDir").filter(s -> !s.isEmpty()) : Optional.empty(),
                    cfg.isPresent() ? cfg.get().optionalString("User").filter(s -> !s.isEmpty()) : Optional.empty(),
                    diffIds);
        } catch (Fields.WireException | IllegalArgumentException e) {
            throw new IOException("invalid image config: " + e.getMessage(), e);
        }
    }

    private static Descriptor descriptor(Fields f, String where) throws Fields.WireException {
        String mediaType = f.requireString("mediaType");
        Digest digest = Digest.parse(f.requireString("digest"));
        long size = f.optionalLong("size").orElseThrow(() -> new Fields.WireException("'" + where + ".size' is missing"));
        return new Descriptor(mediaType, digest, size);
    }
}
