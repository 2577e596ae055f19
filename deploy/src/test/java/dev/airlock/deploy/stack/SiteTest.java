package dev.airlock.deploy.stack;

import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.policy.InMemoryPolicyStore;
import dev.airlock.core.policy.Policy;
import dev.airlock.core.policy.PolicyTrust;
import dev.airlock.core.policy.TrustedPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SiteTest {
    @TempDir
    Path dir;

    @Test
    void theFirstUpCreatesKeysAndAPolicyEveryEnclaveComponentTrusts() throws Exception {
        Site.Ensured e = Site.ensure(dir, Clock.systemUTC());
        assertTrue(e.createdPolicy());
        assertEquals(11, e.createdKeys().size(), e.createdKeys()::toString);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                e.site().privateKey(Site.GATEWAY))));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(e.site().usersFile())));

        // The same trust-on-install check as the gateway: 2 of its own 3 root keys signed it.
        byte[] envelope = Files.readAllBytes(e.site().policyEnvelopeFile());
        TrustedPolicy p = new PolicyTrust(Clock.systemUTC()).accept(envelope, Optional.empty(), new InMemoryPolicyStore())
                .policy();
        assertEquals(1, p.version());
        assertEquals(2, p.rootThreshold());
        assertEquals(3, p.rootKeys().size());
        assertEquals(2, Envelope.parse(envelope).signatures().size());
        for (String id : List.of(Site.FLEET, Site.ALICE, Site.BOB, Site.AUTO, Site.RUNNER, Site.BRIDGE, Site.GATEWAY,
                Site.EVIDENCE)) {
            assertTrue(p.principal(id).isPresent(), id);
            assertEquals(List.of(e.site().signingKey(id).publicKey()), p.keysOf(id), id);
        }
        Policy.Environment env = p.environment(Site.ENVIRONMENT).orElseThrow();
        assertEquals("apply", env.mode());
        assertEquals(List.of(List.of("sh", "validate.sh"), List.of("mvn", "-q", "-o")), env.validationCommands());
        assertTrue(env.scope().allow().contains("pom.xml"));
        assertTrue(env.scope().allow().contains("services/payments/**"));
        assertTrue(p.policy().tiers().get("T2").ticketRequired());
        // No private key material in the policy file people read.
        assertFalse(Files.readString(dir.resolve("policy.json")).contains("PRIVATE"));
    }

    @Test
    void laterUpsReuseEverything() throws Exception {
        Site first = Site.ensure(dir, Clock.systemUTC()).site();
        Site.Ensured again = Site.ensure(dir, Clock.systemUTC());
        assertFalse(again.createdPolicy());
        assertEquals(List.of(), again.createdKeys());
        assertEquals(first.policy().digest(), again.site().policy().digest());
        assertEquals(first.password(Site.ALICE), again.site().password(Site.ALICE));
        assertFalse(first.password(Site.ALICE).equals(first.password(Site.BOB)));
    }

    @Test
    void anEditedPolicyIsRefusedWithItsReason() throws Exception {
        Site.ensure(dir, Clock.systemUTC());
        Path f = dir.resolve("policy-v1.dsse.json");
        String text = Files.readString(f);
        // Another payload under the same signatures.
        Files.writeString(f, text.replaceFirst("\"payload\":\"ey", "\"payload\":\"eX"));
        java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> Site.ensure(dir, Clock.systemUTC()));
        assertTrue(e.getMessage().contains("does not verify"), e::getMessage);
    }
}
