package dev.edgeagent.runtime.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.edgeagent.profiles.ResourceLimits;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.security.seccomp.DefaultSeccompProfile;
import dev.edgeagent.security.userns.IdRange;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Generated config.json files against the OCI runtime-spec JSON schema (v1.0.2, copied from Debian's
 * golang-github-opencontainers-specs-dev into src/test/resources/runtime-spec-schema).
 */
class OciSchemaTest {
    private static final JsonSchema SCHEMA = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4)
            .getSchema(SchemaLocation.of("classpath:runtime-spec-schema/config-schema.json"));

    private static Set<ValidationMessage> validate(OciSpec spec) {
        return SCHEMA.validate(new String(Json.compact(spec.root()), StandardCharsets.UTF_8), InputFormat.JSON);
    }

    @Test
    void theHardenedDefaultIsAValidRuntimeConfig() {
        AppSpec app = new AppSpec("demo-1", "demo", List.of("/bin/sh"), List.of("PATH=/bin"), "/", 0, 0,
                new IdRange(1_048_576, 65536), new ResourceLimits(64L << 20, 32, 1000), DefaultSeccompProfile.forArch("amd64"));
        assertEquals(Set.of(), validate(HardenedSpec.build(app)));
    }

    @Test
    void aConfigWithEveryGrantIsValidToo() {
        assertEquals(Set.of(), validate(HardenedSpec.build(HardenedSpecTest.granted())));
    }

    @Test
    void theSchemaCatchesABrokenConfig() {
        OciSpec broken = new OciSpec();
        broken.process().put("args", "not a list");
        broken.linux().put("uidMappings", List.of("nope"));
        assertFalse(validate(broken).isEmpty(), "a test that cannot fail proves nothing");
    }
}
