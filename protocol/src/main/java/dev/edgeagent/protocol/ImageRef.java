package dev.edgeagent.protocol;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An image reference in the docker grammar: {@code [registry/]repository[:tag][@digest]}.
 * A reference without a registry means Docker Hub, and a one-part Hub name means {@code library/NAME}.
 */
public record ImageRef(String registry, String repository, Optional<String> tag, Optional<Digest> digest) {
    public static final String DOCKER_HUB = "registry-1.docker.io";
    private static final Pattern REPOSITORY = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern REGISTRY = Pattern.compile("(?:[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*|\\[[0-9A-Fa-f:]+\\])(?::[0-9]{1,5})?");

    public ImageRef {
        if (registry == null || !REGISTRY.matcher(registry).matches()) {
            throw new IllegalArgumentException("invalid registry host '" + registry + "'");
        }
        if (repository == null || repository.length() > 255 || !REPOSITORY.matcher(repository).matches()) {
            throw new IllegalArgumentException("invalid repository name '" + repository + "' (lowercase letters, digits, . _ - and /)");
        }
        tag.ifPresent(t -> {
            if (!TAG.matcher(t).matches()) {
                throw new IllegalArgumentException("invalid tag '" + t + "'");
            }
        });
        if (tag.isEmpty() && digest.isEmpty()) {
            throw new IllegalArgumentException("an image reference needs a tag or a digest");
        }
    }

    public static ImageRef parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("image reference is empty");
        }
        if (text.length() > 512) {
            throw new IllegalArgumentException("image reference is longer than 512 characters");
        }
        String rest = text;
        Optional<Digest> digest = Optional.empty();
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = Optional.of(Digest.parse(rest.substring(at + 1)));
            rest = rest.substring(0, at);
        }
        Optional<String> tag = Optional.empty();
        int lastSlash = rest.lastIndexOf('/');
        int colon = rest.lastIndexOf(':');
        if (colon > lastSlash) {
            tag = Optional.of(rest.substring(colon + 1));
            rest = rest.substring(0, colon);
        }
        String registry = DOCKER_HUB;
        int firstSlash = rest.indexOf('/');
        if (firstSlash > 0) {
            String first = rest.substring(0, firstSlash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost") || first.startsWith("[")) {
                registry = first;
                rest = rest.substring(firstSlash + 1);
            }
        }
        if (registry.equals(DOCKER_HUB) && !rest.contains("/")) {
            rest = "library/" + rest;
        }
        if (tag.isEmpty() && digest.isEmpty()) {
            tag = Optional.of("latest");
        }
        return new ImageRef(registry, rest, tag, digest);
    }

    /** The reference pinned to a content digest, required wherever the agent acts on an image. */
    public Digest requireDigest() {
        return digest.orElseThrow(() -> new IllegalArgumentException(
                "image " + this + " is not pinned by digest (use REPOSITORY@sha256:<hex>)"));
    }

    /** The same reference pinned to {@code pinned}. */
    public ImageRef withDigest(Digest pinned) {
        return new ImageRef(registry, repository, tag, Optional.of(pinned));
    }

    @Override
    public String toString() {
        return registry + "/" + repository + tag.map(t -> ":" + t).orElse("") + digest.map(d -> "@" + d).orElse("");
    }
}
