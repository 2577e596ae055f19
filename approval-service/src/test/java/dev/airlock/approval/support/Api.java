package dev.airlock.approval.support;

import dev.airlock.core.dsse.Envelope;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

/** REST Assured calls as a signed-in approver (HTTP Basic, as the CLI does). */
public final class Api {
    private Api() {
    }

    public static RequestSpecification as(String user) {
        return given().auth().preemptive().basic(user, Fixtures.PASSWORD);
    }

    public static Response post(String user, String capsuleId, Envelope approval) {
        return post(user, capsuleId, approval.toJson());
    }

    public static Response post(String user, String capsuleId, byte[] body) {
        return as(user).contentType("application/json").body(body)
                .post("/api/capsules/{id}/decisions", capsuleId);
    }

    /** Waits until {@code user} sees the capsule with {@code status}. */
    public static void awaitStatus(String user, String capsuleId, String status) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> {
            Response r = as(user).get("/api/capsules/{id}", capsuleId);
            return r.statusCode() == 200 && status.equals(r.jsonPath().getString("summary.status"));
        });
    }

    /** Waits until an audit row of {@code kind} exists for the capsule, and returns its reason. */
    public static String awaitAudit(String user, String capsuleId, String kind) {
        String[] reason = new String[1];
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> {
            Response r = as(user).queryParam("capsuleId", capsuleId).queryParam("kind", kind).get("/api/audit");
            if (r.statusCode() != 200 || r.jsonPath().getList("$").isEmpty()) {
                return false;
            }
            reason[0] = r.jsonPath().getString("[0].reason");
            return true;
        });
        return reason[0];
    }
}
