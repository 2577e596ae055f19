package dev.airlock.evidence;

import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

import java.time.Duration;
import java.util.Base64;
import java.util.List;

import static org.awaitility.Awaitility.await;

/** The REST API as a client sees it. */
public final class Api {
    private Api() {
    }

    public static JsonPath json(String path) {
        Response r = RestAssured.given().accept("application/json").get(path);
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + path + " answered " + r.statusCode() + ": " + r.asString());
        }
        return r.jsonPath();
    }

    /** Waits until the capsule has {@code n} log entries and returns the last one's index. */
    public static long awaitEntries(String capsuleId, int n) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            Response r = RestAssured.get("/api/bundles/" + capsuleId);
            return r.statusCode() == 200 && r.jsonPath().getList("entries").size() >= n;
        });
        List<Integer> idx = json("/api/bundles/" + capsuleId).getList("entries.logIndex", Integer.class);
        return idx.get(idx.size() - 1);
    }

    public static byte[] entryBytes(String capsuleId, int i) {
        return Base64.getDecoder().decode(json("/api/bundles/" + capsuleId).getString("entries[" + i + "].entry"));
    }

    /** Waits until the quarantine holds a record with this reason whose bytes are {@code bytes}. */
    public static JsonPath checkpoint() {
        return RestAssured.given().post("/api/checkpoints").then().statusCode(200).extract().jsonPath();
    }
}
