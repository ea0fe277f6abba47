package dev.edgeagent.security.sign;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * An identity allowed to sign images keyless: the OIDC issuer and the subject (the Fulcio certificate's URI or
 * email SAN), each matched exactly or, when marked a pattern, as a Java regular expression over the whole value.
 */
public record KeylessIdentity(String issuer, boolean issuerIsPattern, String subject, boolean subjectIsPattern) {
    public KeylessIdentity {
        if (issuer == null || issuer.isBlank() || subject == null || subject.isBlank()) {
            throw new IllegalArgumentException("a keyless identity needs an issuer and a subject");
        }
        check(issuer, issuerIsPattern, "issuer");
        check(subject, subjectIsPattern, "subject");
    }

    private static void check(String value, boolean pattern, String what) {
        if (pattern) {
            try {
                Pattern.compile(value);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(what + " pattern '" + value + "' is not a regular expression: " + e.getDescription());
            }
        }
    }

    public static KeylessIdentity exact(String issuer, String subject) {
        return new KeylessIdentity(issuer, false, subject, false);
    }

    public boolean matches(String certIssuer, String certSubject) {
        return matches(issuer, issuerIsPattern, certIssuer) && matches(subject, subjectIsPattern, certSubject);
    }

    private static boolean matches(String rule, boolean pattern, String value) {
        return pattern ? Pattern.compile(rule).matcher(value).matches() : rule.equals(value);
    }

    @Override
    public String toString() {
        return (issuerIsPattern ? "issuer~" : "issuer=") + issuer + " " + (subjectIsPattern ? "subject~" : "subject=") + subject;
    }
}
