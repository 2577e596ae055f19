package dev.airlock.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Help, version, usage and input errors: exit 2, one readable line, no stack trace unless asked for. */
class UsageTest {
    @TempDir
    Path tmp;

    @Test
    void helpListsEveryCommandOfTheContract() {
        Cli.Run r = Cli.run("--help").assertExit(0);
        for (String cmd : List.of("keys", "policy", "capsule", "evidence", "up", "status", "down", "bench")) {
            assertTrue(r.out().contains("\n  " + cmd + " "), () -> cmd + " missing from\n" + r.out());
        }
        assertTrue(r.out().contains("Exit codes:"), r::toString);

        Cli.Run capsule = Cli.run("capsule", "--help").assertExit(0);
        for (String cmd : List.of("sign", "approve", "bundle", "verify")) {
            assertTrue(capsule.out().contains("\n  " + cmd + " "), () -> cmd + " missing from\n" + capsule.out());
        }
        Cli.Run evidence = Cli.run("evidence", "--help").assertExit(0);
        assertTrue(evidence.out().contains("\n  verify ") && evidence.out().contains("\n  proof "), evidence::toString);

        Cli.Run verify = Cli.run("capsule", "verify", "--help").assertExit(0);
        for (String opt : List.of("--policy", "--environment", "--capsule", "--state", "--now")) {
            assertTrue(verify.out().contains(opt), () -> opt + " missing from\n" + verify.out());
        }
        Cli.Run approve = Cli.run("capsule", "approve", "--help").assertExit(0);
        for (String opt : List.of("--capsule", "--key", "--approver", "--role", "--ticket", "--reject", "--basis", "--out")) {
            assertTrue(approve.out().contains(opt), () -> opt + " missing from\n" + approve.out());
        }
    }

    @Test
    void versionNamesTheBuild() {
        Cli.Run r = Cli.run("--version").assertExit(0);
        assertTrue(r.out().matches("(?s)airlock \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\R.*"), r::toString);
    }

    @Test
    void stackCommandsOutsideACheckoutSayWhereToRunThem() {
        String before = System.getProperty("airlock.root");
        System.setProperty("airlock.root", tmp.toString());
        try {
            for (String cmd : List.of("up", "status", "down", "bench")) {
                Cli.Run r = Cli.run(cmd).assertExit(2).assertNoStackTrace();
                assertEquals("", r.out());
                assertTrue(r.err().contains("run from an Airlock source checkout") && r.err().contains("AIRLOCK_ROOT"),
                        r::toString);
            }
        } finally {
            restore(before);
        }
    }

    @Test
    void statusAndDownWithNothingBuiltReportNoStack() throws IOException {
        // A checkout in which nothing was built yet: no stack can be running from it.
        Files.writeString(tmp.resolve("mvnw"), "#!/bin/sh\n");
        Files.createDirectories(tmp.resolve("deploy"));
        Files.writeString(tmp.resolve("deploy/pom.xml"), "<project/>\n");
        String before = System.getProperty("airlock.root");
        System.setProperty("airlock.root", tmp.toString());
        try {
            Cli.Run status = Cli.run("status").assertExit(3).assertNoStackTrace();
            assertEquals(false, status.json().path("running").asBoolean(true), status::toString);
            assertTrue(status.err().contains("no stack in " + tmp.resolve(".airlock")), status::toString);
            Cli.Run down = Cli.run("down").assertExit(0).assertNoStackTrace();
            assertEquals(0, down.json().path("stopped").size(), down::toString);
            assertTrue(down.err().contains("nothing to stop"), down::toString);
        } finally {
            restore(before);
        }
    }

    private static void restore(String before) {
        if (before == null) {
            System.clearProperty("airlock.root");
        } else {
            System.setProperty("airlock.root", before);
        }
    }

    @Test
    void usageErrorsExit2WithAHint() {
        record Case(String[] args, String says) {
        }
        for (Case c : List.of(
                new Case(new String[] {}, "missing a command"),
                new Case(new String[] {"capsule"}, "missing a subcommand"),
                new Case(new String[] {"capsul"}, "Did you mean"),
                new Case(new String[] {"capsule", "verify"}, "Missing required options"),
                new Case(new String[] {"capsule", "verify", "--policy", "p", "--environment", "e", "--capsule", "c",
                        "--bogus"}, "Unknown option: '--bogus'"),
                new Case(new String[] {"policy", "sign", "--in", "a", "--add-to", "b", "--key", "k", "--out", "o"},
                        "mutually exclusive"),
                new Case(new String[] {"capsule", "approve", "--capsule", "c", "--key", "k", "--approver", "a",
                        "--role", "r", "--out", "o", "--basis", "whim"}, "expected review or policy-auto"))) {
            Cli.Run r = Cli.run(c.args).assertExit(2).assertNoStackTrace();
            assertEquals("", r.out(), r::toString);
            assertTrue(r.err().contains(c.says), () -> String.join(" ", c.args) + "\n" + r);
        }
    }

    @Test
    void inputErrorsAreOneReadableLine() throws IOException {
        Flow flow = new Flow(tmp).keys("alice");
        Files.writeString(tmp.resolve("capsule.json"), "{}");

        Cli.Run missing = Cli.run("capsule", "sign", "--in", tmp.resolve("nope.json").toString(),
                "--key", flow.key("alice").toString(), "--out", tmp.resolve("o.json").toString());
        missing.assertExit(2).assertNoStackTrace();
        assertTrue(missing.err().contains("capsule '" + tmp.resolve("nope.json") + "' does not exist"), missing::toString);

        Cli.Run notACapsule = Cli.run("capsule", "sign", "--in", tmp.resolve("capsule.json").toString(),
                "--key", flow.key("alice").toString(), "--out", tmp.resolve("o.json").toString());
        notACapsule.assertExit(2).assertNoStackTrace();
        assertTrue(notACapsule.err().contains("is not valid: MALFORMED: Capsule:"), notACapsule::toString);

        Cli.Run noCapsule = Cli.run("capsule", "approve", "--capsule", tmp.resolve("none.json").toString(),
                "--key", flow.key("alice").toString(), "--approver", "alice", "--role", "r", "--out", "o");
        noCapsule.assertExit(2).assertNoStackTrace();
        assertTrue(noCapsule.err().contains("capsule '" + tmp.resolve("none.json") + "' does not exist"), noCapsule::toString);

        Path garbageKey = Files.writeString(tmp.resolve("garbage.key.pem"), "not a key");
        Path cdsse = tmp.resolve("c.dsse.json");
        Files.writeString(cdsse, "{\"payloadType\":\"application/vnd.airlock.capsule.v1+json\",\"payload\":\"e30=\","
                + "\"signatures\":[{\"keyid\":\"\",\"sig\":\"AAAA\"}]}");
        for (Path bad : List.of(flow.pub("alice"), garbageKey)) {
            Cli.Run r = Cli.run("capsule", "approve", "--capsule", cdsse.toString(), "--key", bad.toString(),
                    "--approver", "alice", "--role", "r", "--out", tmp.resolve("o.json").toString());
            r.assertExit(2).assertNoStackTrace();
            assertTrue(r.err().contains("cannot use private key '" + bad + "'"), r::toString);
            assertEquals(1, r.err().strip().lines().count(), r::toString);
        }
        assertTrue(Cli.run("capsule", "approve", "--capsule", cdsse.toString(), "--key", flow.pub("alice").toString(),
                "--approver", "alice", "--role", "r", "--out", "o").err().contains("this is a public key"));

        Cli.Run dir = Cli.run("capsule", "sign", "--in", tmp.toString(), "--key", flow.key("alice").toString(),
                "--out", tmp.resolve("o.json").toString());
        dir.assertExit(2).assertNoStackTrace();
        assertTrue(dir.err().contains("is a directory"), dir::toString);
    }

    @Test
    void debugShowsTheStackTraceOtherwiseHidden() throws IOException {
        Path garbageKey = Files.writeString(tmp.resolve("garbage.key.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        Files.writeString(tmp.resolve("c.dsse.json"), "{\"payloadType\":\"application/vnd.airlock.capsule.v1+json\","
                + "\"payload\":\"e30=\",\"signatures\":[{\"keyid\":\"\",\"sig\":\"AAAA\"}]}");
        String[] args = {"capsule", "approve", "--capsule", tmp.resolve("c.dsse.json").toString(), "--key",
                garbageKey.toString(), "--approver", "alice", "--role", "r", "--out", tmp.resolve("o.json").toString()};

        Cli.Run plain = Cli.run(args).assertExit(2).assertNoStackTrace();
        Cli.Run env = Cli.run(Map.of("AIRLOCK_DEBUG", "1"), Cli.CLOCK, args).assertExit(2);
        String[] withFlag = java.util.Arrays.copyOf(args, args.length + 1);
        withFlag[args.length] = "--debug";
        Cli.Run flag = Cli.run(withFlag).assertExit(2);

        assertFalse(plain.err().contains("\tat "), plain::toString);
        assertTrue(env.err().contains("\tat dev.airlock."), env::toString);
        assertTrue(flag.err().contains("\tat dev.airlock."), flag::toString);
        assertTrue(flag.err().startsWith(plain.err().strip()), "the same message comes first:\n" + flag);
    }
}
