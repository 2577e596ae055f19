package dev.airlock.approval.rest;

import dev.airlock.approval.support.Api;
import dev.airlock.approval.support.ApprovalFiles;
import dev.airlock.approval.support.ApprovalTestResources;
import dev.airlock.approval.support.Fixtures;
import dev.airlock.core.capsule.Approval;
import dev.airlock.core.capsule.SignedCapsule;
import dev.airlock.core.crypto.Hex;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.events.Topics;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.testing.TestPki;
import dev.airlock.core.verify.InMemoryLedger;
import dev.airlock.core.verify.VerificationEngine;
import dev.airlock.core.verify.Verdict;
import dev.airlock.testsupport.kafka.InjectKafkaBroker;
import dev.airlock.testsupport.kafka.KafkaBroker;
import dev.airlock.testsupport.kafka.KafkaBrokerResource;
import dev.airlock.testsupport.kafka.KafkaTestClient;
import dev.airlock.testsupport.postgres.PostgresResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.logging.Level;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The approval page in a real headless Chromium (Debian {@code chromium} + {@code chromium-driver}): alice signs in,
 * loads the queue, opens a capsule, chooses her key file, signs in the browser with WebCrypto Ed25519, and sees her
 * approval counted; bob approves through the API; the signed capsule on the topic verifies with the engine. Her
 * private key never leaves the browser: no request the browser sent carries it, and nothing stored contains it.
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerResource.class, initArgs = @ResourceArg(name = KafkaBrokerResource.TOPICS,
        value = ApprovalTestResources.TOPICS))
@WithTestResource(PostgresResource.class)
@WithTestResource(ApprovalFiles.class)
class ApprovalPageTest {
    static final String CHROMIUM = "/usr/bin/chromium";
    static final String CHROMEDRIVER = "/usr/bin/chromedriver";

    @InjectKafkaBroker
    KafkaBroker broker;
    @Inject
    AgroalDataSource db;
    @TestHTTPResource("/")
    URL base;

    WebDriver driver;
    /** Chromium's profile and the key file the page reads; JUnit deletes both after each test. */
    @TempDir
    Path scratch;

    @AfterEach
    void quit() {
        if (driver != null) {
            driver.quit();
        }
    }

    private WebDriver chromium() throws Exception {
        assertTrue(new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute(),
                "this test needs Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver)");
        Path profile = Files.createDirectory(scratch.resolve("chromium"));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.PERFORMANCE, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private String url(String path) {
        return base.toString().replaceAll("/$", "") + path;
    }

    @Test
    void aliceSignsInTheBrowserBobThroughTheApiAndTheSignedCapsuleVerifies() throws Exception {
        String id = Fixtures.newId();
        Envelope env = Fixtures.signed(Fixtures.capsule(id, s -> { }));
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            kafka.send(Topics.PROPOSALS, id, Fixtures.proposal(env, "T2"));
        }
        Api.awaitStatus("alice", id, "pending");
        String alicePem = Fixtures.PKI.of("alice").toPem();
        Path keyFile = scratch.resolve("alice.key.pem");
        Files.writeString(keyFile, alicePem, StandardCharsets.US_ASCII);

        driver = chromium();
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
        driver.get(url("/"));
        // not signed in: the form login
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("username"))).sendKeys("alice");
        driver.findElement(By.id("password")).sendKeys(Fixtures.PASSWORD);
        driver.findElement(By.id("login")).click();

        // the queue, by tier with counts
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("tier-T2")));
        assertEquals("alice", driver.findElement(By.id("user")).getText());
        assertTrue(Long.parseLong(driver.findElement(By.id("count-T2-pending")).getText()) >= 1);
        assertEquals("0 of 2", driver.findElement(By.id("approvals-" + id)).getText());
        driver.findElement(By.cssSelector("a[href='/capsules/" + id + "']")).click();

        // the review: diff, scope, validation, reachability, tier reasoning
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("sign-form")));
        assertEquals(id, driver.findElement(By.id("capsule-id")).getText());
        assertEquals(env.payloadDigest(), driver.findElement(By.id("capsule-digest")).getText());
        assertEquals("-    <version>2.14.1</version>",
                driver.findElement(By.cssSelector("#diff .del")).getText());
        assertEquals("+    <version>2.17.1</version>",
                driver.findElement(By.cssSelector("#diff .add")).getText());
        assertTrue(driver.findElement(By.id("manifest")).getText().contains("pom.xml"));
        assertTrue(driver.findElement(By.id("validation")).getText().contains("mvn -q -o verify"));
        assertTrue(driver.findElement(By.id("reachability")).getText().contains("internet → api-gateway"));
        assertTrue(driver.findElement(By.id("tier-reasoning")).getText().contains("CISA KEV listed"));
        assertEquals("0 of 2", driver.findElement(By.id("approval-count")).getText());

        // sign in the browser with the key file alice opens
        driver.findElement(By.id("ticket")).sendKeys("CHG0012345");
        driver.findElement(By.id("keyfile")).sendKeys(keyFile.toString());
        driver.findElement(By.id("approve")).click();
        wait.until(ExpectedConditions.textToBe(By.id("approval-count"), "1 of 2"));
        WebElement result = driver.findElement(By.id("result"));
        assertTrue(result.getText().startsWith("Recorded: pending"), result.getText());

        // counted on the queue as well
        driver.get(url("/"));
        wait.until(ExpectedConditions.textToBe(By.id("approvals-" + id), "1 of 2"));

        // what the browser sent: the signed envelope, never the key
        List<String> posted = postBodies(driver);
        assertEquals(1, posted.stream().filter(b -> b.contains("\"payloadType\":\"application/vnd.airlock.approval.v1+json\""))
                .count(), posted.toString());
        for (String secret : secrets(alicePem)) {
            for (String body : posted) {
                assertFalse(body.contains(secret), "the browser sent key material");
            }
        }

        Response stored = Api.as("alice").get("/api/capsules/{id}", id);
        assertEquals("web", stored.jsonPath().getString("decisions[0].via"));
        assertEquals("alice", stored.jsonPath().getString("decisions[0].approver"));
        assertEquals("CHG0012345", stored.jsonPath().getString("decisions[0].ticket"));

        // bob, through the API: the policy is satisfied
        Response bob = Api.post("bob", id, Fixtures.approve(env, "bob", "security-officer"));
        assertEquals(200, bob.statusCode(), bob.asString());
        Api.awaitStatus("alice", id, "emitted");
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            List<ConsumerRecord<String, byte[]>> out = kafka.readAll(Topics.CAPSULES_SIGNED).stream()
                    .filter(r -> id.equals(r.key())).toList();
            assertEquals(1, out.size());
            Verdict v = new VerificationEngine(TestPki.clock()).verify(out.get(0).value(), TestPki.PROD,
                    Fixtures.trusted(), new InMemoryLedger());
            assertTrue(v.isAdmitted(), v.toJson());
            SignedCapsule sc = SignedCapsule.parse(out.get(0).value(), StrictJson.SIGNED);
            Approval browserSigned = StrictJson.read(sc.approvals().get(0).payloadBytes(), Approval.class,
                    StrictJson.SIGNED);
            assertEquals("alice", browserSigned.approver());
            assertEquals(env.payloadDigest(), browserSigned.capsuleDigest());
            assertEquals(Approval.REVIEW, browserSigned.basis());
        }

        // nothing the server stored contains the key either
        await().atMost(Duration.ofSeconds(60)).until(() -> storedText().contains(id));
        String everything = storedText();
        for (String secret : secrets(alicePem)) {
            assertFalse(everything.contains(secret), "key material reached the server's database");
        }
        driver.get(url("/audit?capsuleId=" + id));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("audit")));
        assertTrue(driver.findElement(By.id("audit")).getText().contains("SIGNED_CAPSULE_EMITTED"));
    }

    /** The PEM body, the raw PKCS#8 DER and the 32-byte seed, as base64 and hex. */
    private static List<String> secrets(String pem) {
        String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        byte[] der = Base64.getDecoder().decode(body);
        byte[] seed = java.util.Arrays.copyOfRange(der, der.length - 32, der.length);
        return List.of(body, body.substring(0, 40), Hex.encode(der), Hex.encode(seed),
                Base64.getEncoder().encodeToString(seed), Base64.getEncoder().encodeToString(seed).replace('+', '-')
                        .replace('/', '_').replace("=", ""));
    }

    /** Every request body the browser sent (DevTools performance log: Network.requestWillBeSent). */
    private static List<String> postBodies(WebDriver driver) {
        List<String> out = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.PERFORMANCE)) {
            String msg = e.getMessage();
            if (msg.contains("\"Network.requestWillBeSent\"") && msg.contains("\"postData\"")) {
                out.add(msg.replace("\\\"", "\""));
            }
        }
        return out;
    }

    /** Every text and byte column of every table, as one string. */
    private String storedText() throws Exception {
        StringBuilder sb = new StringBuilder();
        try (Connection c = db.getConnection()) {
            for (String table : List.of("capsules", "decisions", "outbox", "audit_events", "policy_history")) {
                try (PreparedStatement ps = c.prepareStatement("select * from " + table);
                     ResultSet rs = ps.executeQuery()) {
                    int n = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        for (int i = 1; i <= n; i++) {
                            Object o = rs.getObject(i);
                            if (o instanceof byte[] b) {
                                sb.append(new String(b, StandardCharsets.ISO_8859_1)).append(Hex.encode(b));
                            } else if (o != null) {
                                sb.append(o);
                            }
                            sb.append('\n');
                        }
                    }
                }
            }
        }
        return sb.toString();
    }
}
