package dev.edgeagent.agent.deploy;

import java.util.Optional;
import java.util.regex.Pattern;

/** The image's {@code User}: {@code uid}, {@code uid:gid}, or {@code root}. Names are not looked up in the image. */
record ProcessUser(long uid, long gid) {
    private static final Pattern NUMERIC = Pattern.compile("([0-9]{1,10})(?::([0-9]{1,10}))?");

    static ProcessUser parse(Optional<String> user) {
        if (user.isEmpty() || user.get().equals("root") || user.get().equals("root:root")) {
            return new ProcessUser(0, 0);
        }
        var m = NUMERIC.matcher(user.get());
        if (!m.matches()) {
            // Reading /etc/passwd from an untrusted rootfs safely needs the same care as unpacking; not done yet.
            throw new IllegalArgumentException("image user '" + user.get() + "' is not numeric (uid or uid:gid)");
        }
        long uid = Long.parseLong(m.group(1));
        long gid = m.group(2) == null ? uid : Long.parseLong(m.group(2));
        return new ProcessUser(uid, gid);
    }
}
