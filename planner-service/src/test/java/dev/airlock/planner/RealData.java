package dev.airlock.planner;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The real public files under {@code src/test/resources/real/} (see its README), as bytes. */
public final class RealData {
    public static final String SARIF = "grype-java-cxf-3.4.6.sarif.json";
    public static final String SBOM = "cyclonedx-java-maven-log4j-2.6.1-1.4.json";
    public static final String OSV_LOG4SHELL = "osv-GHSA-jfh8-c2jp-5v3q.json";
    public static final String OSV_45046 = "osv-GHSA-7rjr-3q55-vv33.json";

    public static final String LOG4J_CORE = "pkg:maven/org.apache.logging.log4j/log4j-core@2.6.1";
    public static final String GEODE_CORE = "pkg:maven/org.apache.geode/geode-core@1.1.1";
    public static final String SBOM_ROOT = "pkg:maven/com.gitlab.security_products.tests/java-maven@1.0-SNAPSHOT";

    private RealData() {
    }

    public static byte[] bytes(String name) {
        try (InputStream in = RealData.class.getResourceAsStream("/real/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource real/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
