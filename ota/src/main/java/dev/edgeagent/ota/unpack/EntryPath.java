package dev.edgeagent.ota.unpack;

import java.util.ArrayList;
import java.util.List;

/** A tar entry name, checked and split: relative, no "..", no empty parts. Pure, so every refusal is unit-tested. */
record EntryPath(List<String> parts) {
    static final EntryPath ROOT = new EntryPath(List.of());

    EntryPath {
        parts = List.copyOf(parts);
    }

    static EntryPath parse(String name, int maxLength) throws UnsafeLayerException {
        if (name.length() > maxLength) {
            throw new UnsafeLayerException("entry name is longer than " + maxLength + " characters: " + name.substring(0, 80) + "…");
        }
        if (name.indexOf('\0') >= 0) {
            throw new UnsafeLayerException("entry name contains a NUL byte");
        }
        if (name.startsWith("/")) {
            throw new UnsafeLayerException("entry '" + name + "' has an absolute path");
        }
        List<String> parts = new ArrayList<>();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw new UnsafeLayerException("entry '" + name + "' climbs out with '..'");
            }
            parts.add(part);
        }
        return new EntryPath(parts);
    }

    boolean isRoot() {
        return parts.isEmpty();
    }

    String fileName() {
        return parts.get(parts.size() - 1);
    }

    EntryPath parent() {
        return new EntryPath(parts.subList(0, parts.size() - 1));
    }

    @Override
    public String toString() {
        return "/" + String.join("/", parts);
    }
}
