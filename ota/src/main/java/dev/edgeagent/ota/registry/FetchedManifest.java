package dev.edgeagent.ota.registry;

import dev.edgeagent.protocol.Digest;

/** Manifest bytes whose sha256 has been checked against the digest they were asked for. */
public record FetchedManifest(Digest digest, String mediaType, byte[] bytes) {}
