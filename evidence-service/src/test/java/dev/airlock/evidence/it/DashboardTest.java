package dev.airlock.evidence.it;

import dev.airlock.core.events.Topics;
import dev.airlock.core.testing.TestPki;
import dev.airlock.evidence.Api;
import dev.airlock.evidence.EvidenceFixturesResource;
import dev.airlock.evidence.Fixtures;
import dev.airlock.evidence.MutableClock;
import dev.airlock.evidence.Stack;
import dev.airlock.testsupport.kafka.InjectKafkaBroker;
import dev.airlock.testsupport.kafka.KafkaBroker;
import dev.airlock.testsupport.kafka.KafkaBrokerResource;
import dev.airlock.testsupport.kafka.KafkaTestClient;
import dev.airlock.testsupport.postgres.PostgresResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The enclave dashboard in headless Chromium (Debian {@code chromium} and {@code chromium-driver}): what an operator
 * sees after a known day of runs. The clock is moved ten days ahead so the 24-hour window holds this test's data only.
 */
@QuarkusTest
@WithTestResource(EvidenceFixturesResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(value = KafkaBrokerResource.class, initArgs = @ResourceArg(name = KafkaBrokerResource.TOPICS,
        value = Stack.TOPICS))
class DashboardTest {

    @InjectKafkaBroker
    KafkaBroker broker;

    @TestHTTPResource("/")
    URL url;

    @TempDir
    Path profile;

    @AfterEach
    void resetClock() {
        MutableClock.INSTANCE.set(TestPki.NOW);
    }

    @Test
    void theOperatorSeesTheLastDay() throws Exception {
        MutableClock.INSTANCE.set(TestPki.NOW.plus(Duration.ofDays(10)));
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            String[][] runs = {{"APPLIED", "3"}, {"OBSERVED", "1"}, {"ROLLED_BACK", "1"}, {"REJECTED", "2"}};
            for (String[] r : runs) {
                for (int i = 0; i < Integer.parseInt(r[1]); i++) {
                    String id = "dash-" + r[0] + "-" + i;
                    kafka.send(Topics.EVIDENCE_RAW, id, Fixtures.bundle(id, Fixtures.LOCAL_ENV, r[0]));
                }
            }
            kafka.send(Topics.DIODE_HEALTH, "stream-dash", "{\"schema\":\"airlock.diode.gap/v1\",\"receiver\":\"r1\","
                    + "\"stream\":\"stream-dash\",\"from\":5,\"to\":7,\"missing\":3}");
        }
        for (String id : List.of("dash-APPLIED-2", "dash-OBSERVED-0", "dash-ROLLED_BACK-0", "dash-REJECTED-1")) {
            Api.awaitEntries(id, 1);
        }
        long checkpoint = Api.checkpoint().getLong("size");
        await().atMost(Duration.ofSeconds(60)).until(() ->
                RestAssured.get("/").asString().contains("sequences missing: <b>3</b>"));

        ChromeOptions options = new ChromeOptions();
        options.setBinary(new File("/usr/bin/chromium"));
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-dev-shm-usage", "--window-size=1280,1400", "--user-data-dir=" + profile.toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        ChromeDriver browser = new ChromeDriver(service, options);
        try {
            browser.get(url.toString());
            assertEquals("5", text(browser, "runs"), "3 applied + 1 observed + 1 rolled back; rejections apart");
            assertEquals("80.0 %", text(browser, "pass-rate"));
            assertEquals("1", text(browser, "rollbacks"));
            assertEquals("2", text(browser, "rejections"));
            assertEquals("1", text(browser, "diode-gaps"));
            assertEquals(String.valueOf(checkpoint), text(browser, "checkpoint-size"));
            long size = Api.json("/api/verify").getLong("size");
            assertEquals(String.valueOf(size), text(browser, "log-size"));
            assertTrue(browser.findElement(By.id("rejection-reasons")).getText().contains("THRESHOLD_NOT_MET 2"),
                    browser.findElement(By.id("rejection-reasons")).getText());

            WebElement chart = browser.findElement(By.id("outcomes-chart"));
            assertTrue(chart.isDisplayed());
            List<WebElement> bars = chart.findElements(By.cssSelector("rect.bar"));
            assertFalse(bars.isEmpty(), "the chart draws bars");
            assertTrue(bars.stream().anyMatch(b -> "APPLIED".equals(b.getAttribute("data-outcome"))
                    && Integer.parseInt(b.getAttribute("height")) > 0));
            assertTrue(bars.stream().anyMatch(b -> "REJECTED".equals(b.getAttribute("data-outcome"))));
            assertEquals("3", browser.findElement(By.cssSelector("b.outcome-count[data-outcome='APPLIED']")).getText());

            Path shot = Path.of("target", "dashboard.png");
            Files.createDirectories(shot.getParent());
            Files.write(shot, browser.getScreenshotAs(OutputType.BYTES));
        } finally {
            browser.quit();
        }
    }

    private static String text(ChromeDriver browser, String id) {
        return browser.findElement(By.id(id)).getText().strip();
    }

    @Test
    void metricsAreServedForPrometheus() {
        String metrics = RestAssured.given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("# TYPE jvm_memory_used_bytes gauge"), "JVM metrics");
        assertTrue(metrics.contains("kafka_consumer_"), "Kafka client metrics");
    }
}
