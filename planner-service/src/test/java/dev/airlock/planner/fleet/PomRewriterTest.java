package dev.airlock.planner.fleet;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PomRewriterTest {

    static final String POM = """
            <?xml version="1.0" encoding="UTF-8"?>
            <project xmlns="http://maven.apache.org/POM/4.0.0">
              <!-- <version>2.6.1</version> in a comment stays -->
              <modelVersion>4.0.0</modelVersion>
              <version>2.6.1</version>
              <properties>
                <log4j.version>2.6.1</log4j.version>
                <other>2.6.1</other>
              </properties>
              <dependencyManagement>
                <dependencies>
                  <dependency>
                    <groupId>org.apache.logging.log4j</groupId>
                    <artifactId>log4j-core</artifactId>
                    <version>${log4j.version}</version>
                  </dependency>
                </dependencies>
              </dependencyManagement>
              <dependencies>
                <dependency>
                  <groupId>org.apache.logging.log4j</groupId>
                  <artifactId>log4j-api</artifactId>
                  <version> 2.6.1 </version>
                </dependency>
              </dependencies>
            </project>
            """;

    @Test
    void bumpsTheVersionPropertyAndNothingElse() throws Exception {
        PomRewriter.Result r = PomRewriter.bump(POM, "org.apache.logging.log4j", "log4j-core", "2.6.1", "2.12.2");
        assertEquals(POM.replace("<log4j.version>2.6.1</log4j.version>", "<log4j.version>2.12.2</log4j.version>"),
                r.content());
        assertEquals("project/properties/log4j.version: 2.6.1 → 2.12.2", r.edits().get(0));
    }

    @Test
    void bumpsALiteralVersionKeepingItsWhitespace() throws Exception {
        PomRewriter.Result r = PomRewriter.bump(POM, "org.apache.logging.log4j", "log4j-api", "2.6.1", "2.12.2");
        assertEquals(POM.replace("<version> 2.6.1 </version>", "<version> 2.12.2 </version>"), r.content());
    }

    @Test
    void refusals() throws Exception {
        assertNull(PomRewriter.bump(POM, "org.example", "absent", "1", "2"));
        assertEquals("ALREADY_FIXED", assertThrows(FleetRefusal.class, () ->
                PomRewriter.bump(POM, "org.apache.logging.log4j", "log4j-core", "2.14.1", "2.17.1")).code());
        assertEquals("NO_FIX_AVAILABLE", assertThrows(FleetRefusal.class, () ->
                PomRewriter.bump(POM, "org.apache.logging.log4j", "log4j-core", "2.6.1",
                        "2.12.2</version><evil/>")).code());
        String managed = POM.replace("<version>${log4j.version}</version>", "");
        assertEquals("NOT_DECLARED", assertThrows(FleetRefusal.class, () ->
                PomRewriter.bump(managed, "org.apache.logging.log4j", "log4j-core", "2.6.1", "2.12.2")).code());
    }

    @Test
    void packageJsonKeepsTheOperator() throws Exception {
        String json = "{\n  \"name\": \"web\",\n  \"dependencies\": {\n    \"lodash\": \"^4.17.15\",\n"
                + "    \"@angular/core\": \"12.0.0\"\n  }\n}\n";
        assertEquals(json.replace("^4.17.15", "^4.17.21"),
                PackageJsonRewriter.bump(json, "lodash", "4.17.15", "4.17.21").content());
        assertEquals(json.replace("\"12.0.0\"", "\"12.1.5\""),
                PackageJsonRewriter.bump(json, "@angular/core", "12.0.0", "12.1.5").content());
        assertNull(PackageJsonRewriter.bump(json, "react", "1", "2"));
    }

    @Test
    void validationRule() {
        var allowed = java.util.List.of(java.util.List.of("./gradlew", "test"), java.util.List.of("mvn", "-q", "-o"),
                java.util.List.of("sh", "validate.sh"));
        assertEquals(java.util.List.of("mvn", "-q", "-o", "verify"),
                ValidationChooser.choose(allowed, "maven", f -> false, 900).orElseThrow().argv());
        assertEquals(java.util.List.of("mvn", "-o", "verify"), ValidationChooser.choose(
                java.util.List.of(java.util.List.of("mvn")), "maven", f -> false, 900).orElseThrow().argv());
        assertEquals(java.util.List.of("sh", "validate.sh"), ValidationChooser.choose(allowed, "npm",
                "validate.sh"::equals, 900).orElseThrow().argv());
        assertEquals(java.util.Optional.empty(), ValidationChooser.choose(allowed, "npm", f -> false, 900));
    }
}
