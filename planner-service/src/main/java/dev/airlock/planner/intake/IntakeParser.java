package dev.airlock.planner.intake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.core.crypto.Hex;
import dev.airlock.planner.domain.Exploitability;
import dev.airlock.planner.domain.ServiceGraph;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Recognises and parses an intake document (planner-service README, "Intake formats"): the {@code airlock.intake/v1}
 * wrapper, or a bare SARIF 2.1.0 log or result, OSV entry, CycloneDX BOM, service graph, exploitability feed or CISA
 * KEV catalog. Parsing is complete before anything is stored, so a refused document changes nothing.
 */
public final class IntakeParser {

    public static final String WRAPPER_SCHEMA = "airlock.intake/v1";
    public static final String EXPLOITABILITY_SCHEMA = "airlock.exploitability/v1";
    private static final Set<String> WRAPPER_FIELDS = Set.of("schema", "kind", "name", "sbom", "document");
    private static final Set<String> KINDS = Set.of("sarif", "osv", "cyclonedx", "service-graph", "exploitability");

    /** Naming hints that travel outside the document (wrapper fields or REST query parameters). */
    public record Hints(String name, String sbom) {
        public static final Hints NONE = new Hints(null, null);
    }

    private IntakeParser() {
    }

    public static IntakeDocument parse(byte[] bytes, Hints hints, long maxBytes) throws IntakeException {
        ObjectNode root = IntakeJson.read(bytes, maxBytes);
        String digest = Hex.digest(bytes);
        JsonNode schema = root.get("schema");
        if (schema != null && schema.isTextual() && WRAPPER_SCHEMA.equals(schema.textValue())) {
            for (var it = root.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!WRAPPER_FIELDS.contains(f)) {
                    throw IntakeException.malformed(Fields.at("", f), "unknown field of " + WRAPPER_SCHEMA);
                }
            }
            String kind = Fields.text(root, "kind", "");
            if (!KINDS.contains(kind)) {
                throw IntakeException.malformed("/kind", "kind must be one of " + KINDS);
            }
            Hints inner = new Hints(first(Fields.optText(root, "name", ""), hints.name()),
                    first(Fields.optText(root, "sbom", ""), hints.sbom()));
            JsonNode doc = Fields.object(root, "document", "");
            return parseKind(kind, doc, "/document", digest, inner);
        }
        return parseKind(detect(root), root, "", digest, hints);
    }

    private static String first(String a, String b) {
        return a != null ? a : b;
    }

    /** Recognises a bare document by its required fields. */
    static String detect(JsonNode root) throws IntakeException {
        JsonNode schema = root.get("schema");
        if (schema != null) {
            if (!schema.isTextual()) {
                throw IntakeException.malformed("/schema", "must be a string");
            }
            return switch (schema.textValue()) {
                case ServiceGraph.SCHEMA -> "service-graph";
                case EXPLOITABILITY_SCHEMA -> "exploitability";
                default -> throw IntakeException.malformed("/schema", "unknown schema '" + abbreviate(
                        schema.textValue()) + "'; expected " + WRAPPER_SCHEMA + ", " + ServiceGraph.SCHEMA + " or "
                        + EXPLOITABILITY_SCHEMA);
            };
        }
        if (root.has("bomFormat")) {
            return "cyclonedx";
        }
        if (root.has("runs") || (root.has("version") && root.has("$schema"))) {
            return "sarif";
        }
        if (root.has("ruleId") || root.has("ruleIndex") || (root.has("message") && root.has("locations"))) {
            return "sarif";
        }
        if (root.has("id") && root.has("modified")) {
            return "osv";
        }
        if (root.has("catalogVersion") && root.has("vulnerabilities")) {
            return "exploitability";
        }
        throw IntakeException.malformed("", "not a SARIF 2.1.0 log or result, OSV entry, CycloneDX BOM, "
                + ServiceGraph.SCHEMA + " or exploitability feed");
    }

    private static IntakeDocument parseKind(String kind, JsonNode doc, String at, String digest, Hints hints)
            throws IntakeException {
        return switch (kind) {
            case "sarif" -> SarifParser.parse(doc, at, digest, hints);
            case "osv" -> new IntakeDocument.Osv(digest, OsvParser.parse(doc, at), doc.toString(), hints.sbom());
            case "cyclonedx" -> new IntakeDocument.CycloneDx(digest, CycloneDxParser.parse(doc, at, hints.name()));
            case "service-graph" -> new IntakeDocument.Graph(digest, ServiceGraphParser.parse(doc, at));
            case "exploitability" -> new IntakeDocument.ExploitabilityFeed(digest, exploitability(doc, at));
            default -> throw IntakeException.malformed(at, "unknown kind " + kind);
        };
    }

    /** {@code airlock.exploitability/v1} {@code {"entries":[{"id","kev","epss","ssvc"}]}}, or a CISA KEV catalog. */
    static Map<String, Exploitability> exploitability(JsonNode doc, String at) throws IntakeException {
        Map<String, Exploitability> out = new LinkedHashMap<>();
        if (doc.has("catalogVersion")) {
            JsonNode vulns = Fields.array(doc, "vulnerabilities", at);
            for (int i = 0; i < vulns.size(); i++) {
                String here = Fields.at(Fields.at(at, "vulnerabilities"), i);
                Fields.requireObject(vulns.get(i), here);
                out.put(Fields.text(vulns.get(i), "cveID", here), new Exploitability(true, null, null));
            }
            return out;
        }
        JsonNode schema = doc.get("schema");
        if (schema != null && !EXPLOITABILITY_SCHEMA.equals(schema.asText())) {
            throw IntakeException.malformed(Fields.at(at, "schema"), "expected " + EXPLOITABILITY_SCHEMA);
        }
        JsonNode entries = Fields.array(doc, "entries", at);
        for (int i = 0; i < entries.size(); i++) {
            String here = Fields.at(Fields.at(at, "entries"), i);
            JsonNode e = entries.get(i);
            Fields.requireObject(e, here);
            for (var it = e.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!Set.of("id", "kev", "epss", "ssvc").contains(f)) {
                    throw IntakeException.malformed(Fields.at(here, f), "unknown field of an exploitability entry");
                }
            }
            String id = Fields.text(e, "id", here);
            Boolean kev = null;
            if (e.has("kev") && !e.get("kev").isNull()) {
                if (!e.get("kev").isBoolean()) {
                    throw IntakeException.malformed(Fields.at(here, "kev"), "must be true or false");
                }
                kev = e.get("kev").booleanValue();
            }
            String epss = Fields.optText(e, "epss", here);
            if (epss != null && !Exploitability.EPSS.matcher(epss).matches()) {
                throw IntakeException.malformed(Fields.at(here, "epss"),
                        "must be a decimal string between 0 and 1, e.g. \"0.97\"");
            }
            String ssvc = Fields.optText(e, "ssvc", here);
            if (ssvc != null && !Exploitability.SSVC.contains(ssvc)) {
                throw IntakeException.malformed(Fields.at(here, "ssvc"), "must be one of " + Exploitability.SSVC);
            }
            if (out.put(id, new Exploitability(kev, epss, ssvc)) != null) {
                throw IntakeException.malformed(Fields.at(here, "id"), "duplicate entry for " + abbreviate(id));
            }
        }
        return out;
    }

    /** Re-reads an OSV entry this service stored (its own JSON serialisation of an accepted document). */
    public static dev.airlock.planner.domain.OsvAdvisory storedOsv(String json) throws IntakeException {
        return OsvParser.parse(IntakeJson.read(json.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                Long.MAX_VALUE), "");
    }

    static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}
