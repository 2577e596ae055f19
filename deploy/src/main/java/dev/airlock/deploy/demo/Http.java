package dev.airlock.deploy.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;

/** A small HTTP client for the demo: JSON in and out, HTTP Basic or a form-login session (cookies). */
final class Http {
    static final ObjectMapper JSON = new ObjectMapper();

    record Answer(int status, String body) {
        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }

        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private final HttpClient client;
    private final String basic;

    private Http(String user, String password, boolean cookies) {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER);
        if (cookies) {
            b.cookieHandler(new CookieManager());
        }
        this.client = b.build();
        this.basic = user == null ? null : "Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    static Http anonymous() {
        return new Http(null, null, false);
    }

    static Http basic(String user, String password) {
        return new Http(user, password, false);
    }

    /** A browser-like session: the approval page's form login, then requests carry its cookie. */
    static Http formLogin(String base, String user, String password) throws IOException, InterruptedException {
        Http h = new Http(null, null, true);
        String form = "j_username=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&j_password="
                + URLEncoder.encode(password, StandardCharsets.UTF_8);
        HttpResponse<String> r = h.client.send(HttpRequest.newBuilder(URI.create(base + "/j_security_check"))
                .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        String location = r.headers().firstValue("Location").orElse("");
        if (r.statusCode() != 302 || location.contains("error")) {
            throw new IOException(String.format(Locale.ROOT, "form login of %s at %s failed (HTTP %d, %s)", user, base,
                    r.statusCode(), location));
        }
        return h;
    }

    Answer get(String uri) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(uri)).GET(), null);
    }

    Answer post(String uri, byte[] body, String contentType) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(uri)).POST(HttpRequest.BodyPublishers.ofByteArray(body)),
                contentType);
    }

    private Answer send(HttpRequest.Builder b, String contentType) throws IOException, InterruptedException {
        b.timeout(Duration.ofSeconds(30));
        if (basic != null) {
            b.header("Authorization", basic);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        b.header("Accept", "application/json, text/html;q=0.9");
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body());
    }
}
