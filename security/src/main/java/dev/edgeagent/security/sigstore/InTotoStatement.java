package dev.edgeagent.security.sigstore;

import dev.edgeagent.protocol.Digest;
import dev.edgeagent.protocol.wire.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The parts of an in-toto statement (v0.1 or v1) a signature check needs: subject digests and predicate type. */
record InTotoStatement(List<Digest> subjects, String predicateType) {
    static final Set<String> TYPES = Set.of("https://in-toto.io/Statement/v1", "https://in-toto.io/Statement/v0.1");
    static final int MAX_SUBJECTS = 64;

    InTotoStatement {
        subjects = List.copyOf(subjects);
    }

    static InTotoStatement parse(byte[] json) throws IOException {
        Map<String, Object> root = Json.object(json);
        if (!TYPES.contains(root.get("_type"))) {
            throw new IOException("_type '" + root.get("_type") + "' is not an in-toto statement");
        }
        if (!(root.get("subject") instanceof List<?> subject) || subject.isEmpty() || subject.size() > MAX_SUBJECTS) {
            throw new IOException("the statement needs 1 to " + MAX_SUBJECTS + " subjects");
        }
        List<Digest> out = new ArrayList<>();
        for (Object s : subject) {
            if (s instanceof Map<?, ?> m && m.get("digest") instanceof Map<?, ?> d && d.get("sha256") instanceof String hex
                    && hex.matches("[0-9a-f]{64}")) {
                out.add(Digest.parse("sha256:" + hex));
            }
        }
        if (!(root.get("predicateType") instanceof String type)) {
            throw new IOException("the statement has no predicateType");
        }
        return new InTotoStatement(out, type);
    }
}
