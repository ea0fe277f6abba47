package dev.edgeagent.agent.doctor;

/** One check: how it went, what was seen, and what to do when it is not ok. */
public record Finding(String check, Level level, String detail, String fix) {
    public enum Level { OK, WARN, FAIL }

    static Finding ok(String check, String detail) {
        return new Finding(check, Level.OK, detail, "");
    }

    static Finding warn(String check, String detail, String fix) {
        return new Finding(check, Level.WARN, detail, fix);
    }

    static Finding fail(String check, String detail, String fix) {
        return new Finding(check, Level.FAIL, detail, fix);
    }

    public String line() {
        String tag = switch (level) {
            case OK -> "ok  ";
            case WARN -> "WARN";
            case FAIL -> "FAIL";
        };
        return tag + "  " + check + ": " + detail + (fix.isEmpty() ? "" : "\n      fix: " + fix);
    }
}
