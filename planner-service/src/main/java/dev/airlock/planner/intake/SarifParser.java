package dev.airlock.planner.intake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.core.crypto.Hex;
import dev.airlock.planner.domain.ComponentRef;
import dev.airlock.planner.domain.FindingInput;
import dev.airlock.planner.domain.Purl;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SARIF 2.1.0 (OASIS, §3.13 sarifLog, §3.14 run, §3.27 result). A result keeps what the scanner wrote —
 * {@code ruleId}, {@code partialFingerprints}, {@code locations}, {@code fixes}, {@code message}, {@code level},
 * {@code properties} — and gets the vulnerable component and fixed version from, in order: result or rule
 * {@code properties} ({@code purl}/{@code purls}, {@code fixedVersion}), then the rule's {@code help.text} as Grype
 * writes it ({@code Package:}, {@code Version:}, {@code Fix Version:}, {@code Type:}).
 */
final class SarifParser {

    private static final Pattern CVE = Pattern.compile("CVE-[0-9]{4}-[0-9]{4,}");
    private static final Pattern GHSA = Pattern.compile("GHSA(-[23456789cfghjmpqrvwx]{4}){3}");
    private static final Pattern HELP_LINE = Pattern.compile("(?m)^(Package|Version|Fix Version|Type):[ \\t]*(.*?)[ \\t]*$");
    /** Grype {@code Type} → purl type. */
    private static final Map<String, String> GRYPE_TYPES = Map.of("java-archive", "maven", "jenkins-plugin", "maven",
            "npm", "npm", "python", "pypi", "go-module", "golang", "gem", "gem", "rust-crate", "cargo",
            "dotnet", "nuget", "deb", "deb", "rpm", "rpm");

    private SarifParser() {
    }

    static IntakeDocument.Sarif parse(JsonNode doc, String at, String digest, IntakeParser.Hints hints)
            throws IntakeException {
        List<FindingInput> out = new ArrayList<>();
        if (!doc.has("runs")) {
            // a single result, as a scanner may publish one per record on airlock.findings.v1
            out.add(result(doc, at, "sarif", Map.of(), List.of(), hints));
            return new IntakeDocument.Sarif(digest, "sarif", out);
        }
        String version = Fields.text(doc, "version", at);
        if (!"2.1.0".equals(version)) {
            throw IntakeException.malformed(Fields.at(at, "version"), "SARIF version must be 2.1.0");
        }
        JsonNode runs = Fields.array(doc, "runs", at);
        String tools = null;
        for (int r = 0; r < runs.size(); r++) {
            String runAt = Fields.at(Fields.at(at, "runs"), r);
            JsonNode run = runs.get(r);
            Fields.requireObject(run, runAt);
            JsonNode driver = Fields.object(Fields.object(run, "tool", runAt), "driver", Fields.at(runAt, "tool"));
            String tool = Fields.text(driver, "name", Fields.at(Fields.at(runAt, "tool"), "driver"));
            tools = tools == null ? tool : tools;
            Map<String, JsonNode> rulesById = new HashMap<>();
            List<JsonNode> rules = new ArrayList<>();
            JsonNode ruleArray = Fields.optArray(driver, "rules", Fields.at(Fields.at(runAt, "tool"), "driver"));
            if (ruleArray != null) {
                for (int i = 0; i < ruleArray.size(); i++) {
                    String ruleAt = Fields.at(Fields.at(Fields.at(Fields.at(runAt, "tool"), "driver"), "rules"), i);
                    Fields.requireObject(ruleArray.get(i), ruleAt);
                    rulesById.put(Fields.text(ruleArray.get(i), "id", ruleAt), ruleArray.get(i));
                    rules.add(ruleArray.get(i));
                }
            }
            JsonNode results = Fields.optArray(run, "results", runAt);
            if (results == null) {
                continue;
            }
            for (int i = 0; i < results.size(); i++) {
                out.add(result(results.get(i), Fields.at(Fields.at(runAt, "results"), i), tool, rulesById, rules,
                        hints));
            }
        }
        return new IntakeDocument.Sarif(digest, tools == null ? "sarif" : tools, out);
    }

    private static FindingInput result(JsonNode res, String at, String tool, Map<String, JsonNode> rulesById,
                                       List<JsonNode> rules, IntakeParser.Hints hints) throws IntakeException {
        Fields.requireObject(res, at);
        JsonNode rule = null;
        String ruleId = Fields.optText(res, "ruleId", at);
        JsonNode ruleRef = Fields.optObject(res, "rule", at);
        if (ruleId == null && ruleRef != null) {
            ruleId = Fields.optText(ruleRef, "id", Fields.at(at, "rule"));
        }
        if (res.has("ruleIndex")) {
            JsonNode idx = res.get("ruleIndex");
            int i = idx.isIntegralNumber() && idx.canConvertToInt() ? idx.intValue() : Integer.MIN_VALUE;
            if (i < -1 || i >= rules.size()) {
                throw IntakeException.malformed(Fields.at(at, "ruleIndex"), "does not name a rule of the run");
            }
            if (i >= 0) {
                rule = rules.get(i);
                ruleId = ruleId == null ? rule.get("id").textValue() : ruleId;
            }
        }
        if (ruleId == null || ruleId.isBlank()) {
            throw IntakeException.malformed(Fields.at(at, "ruleId"), "a result must name its rule");
        }
        if (rule == null) {
            rule = rulesById.get(ruleId);
        }
        JsonNode message = Fields.object(res, "message", at);
        String text = Fields.optText(message, "text", Fields.at(at, "message"));
        JsonNode locations = Fields.optArray(res, "locations", at);
        JsonNode partial = Fields.optObject(res, "partialFingerprints", at);
        TreeMap<String, String> partials = new TreeMap<>();
        if (partial != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = partial.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual()) {
                    throw IntakeException.malformed(Fields.at(Fields.at(at, "partialFingerprints"), e.getKey()),
                            "must be a string");
                }
                partials.put(e.getKey(), e.getValue().textValue());
            }
        }
        JsonNode fixes = Fields.optArray(res, "fixes", at);
        JsonNode resProps = Fields.optObject(res, "properties", at);
        JsonNode ruleProps = rule == null ? null : rule.get("properties");
        String help = rule == null ? null : textAt(rule, "help", "text");
        Map<String, String> helpFields = new HashMap<>();
        if (help != null) {
            Matcher m = HELP_LINE.matcher(help);
            while (m.find()) {
                helpFields.putIfAbsent(m.group(1), m.group(2));
            }
        }

        Purl purl = purlFrom(resProps, Fields.at(at, "properties"));
        if (purl == null && ruleProps != null && ruleProps.isObject()) {
            purl = purlFrom(ruleProps, null);
        }
        if (purl == null && helpFields.containsKey("Package") && !helpFields.get("Package").isBlank()) {
            String type = GRYPE_TYPES.getOrDefault(helpFields.getOrDefault("Type", ""), "generic");
            String name = helpFields.get("Package");
            String namespace = null;
            if ("maven".equals(type) && name.contains(":")) {
                namespace = name.substring(0, name.indexOf(':'));
                name = name.substring(name.indexOf(':') + 1);
            }
            purl = new Purl(type, namespace, name, blankToNull(helpFields.get("Version")));
        }
        String fixed = firstVersion(text(resProps, "fixedVersion"));
        if (fixed == null) {
            fixed = firstVersion(text(ruleProps, "fixedVersion"));
        }
        if (fixed == null) {
            fixed = firstVersion(helpFields.get("Fix Version"));
        }

        String cve = find(CVE, ruleId);
        String ghsa = find(GHSA, ruleId);
        if (cve == null && help != null) {
            cve = find(CVE, help);
        }
        String vuln = cve != null && ruleId.startsWith("CVE-") ? cve : ghsa != null ? ghsa : cve != null ? cve
                : ruleId;
        List<String> aliases = new ArrayList<>();
        if (ghsa != null && !ghsa.equals(vuln)) {
            aliases.add(ghsa);
        }
        String severity = text(ruleProps, "security-severity");
        if (severity == null) {
            severity = Fields.optText(res, "level", at);
        }
        String title = rule == null ? text : textAt(rule, "shortDescription", "text");

        ObjectNode kept = IntakeJson.mapper().createObjectNode();
        kept.put("ruleId", ruleId);
        kept.set("message", message);
        for (String f : List.of("level", "kind", "locations", "partialFingerprints", "fingerprints", "fixes",
                "properties")) {
            if (res.has(f)) {
                kept.set(f, res.get(f));
            }
        }
        String firstLocation = locations != null && !locations.isEmpty()
                ? locations.get(0).path("physicalLocation").path("artifactLocation").path("uri").asText("") : "";
        String identity;
        if (!partials.isEmpty()) {
            // SARIF §3.27.17: partialFingerprints identify a result across runs; the tool and rule scope them.
            StringBuilder sb = new StringBuilder("sarif\0").append(tool).append('\0').append(ruleId);
            partials.forEach((k, v) -> sb.append('\0').append(k).append('=').append(v));
            identity = sb.toString();
        } else {
            identity = "sarif\0" + tool + "\0" + ruleId + "\0" + firstLocation + "\0"
                    + (purl == null ? "" : purl.toString());
        }
        String fingerprint = Hex.digest(identity.getBytes(StandardCharsets.UTF_8));
        return new FindingInput(fingerprint, "sarif", vuln, aliases, cve, ruleId, tool, title, severity,
                purl == null ? null : new ComponentRef(purl), fixed, hints.sbom(), null, kept.toString());
    }

    private static Purl purlFrom(JsonNode props, String at) throws IntakeException {
        if (props == null || !props.isObject()) {
            return null;
        }
        JsonNode p = props.get("purl");
        if (p == null && props.get("purls") != null && props.get("purls").isArray() && !props.get("purls").isEmpty()) {
            p = props.get("purls").get(0);
        }
        if (p == null || !p.isTextual()) {
            return null;
        }
        var parsed = Purl.parse(p.textValue());
        if (parsed.isEmpty() && at != null) {
            throw IntakeException.malformed(Fields.at(at, "purl"), "not a package URL");
        }
        return parsed.orElse(null);
    }

    private static String text(JsonNode node, String field) {
        if (node == null || !node.isObject()) {
            return null;
        }
        JsonNode v = node.get(field);
        return v != null && v.isTextual() && !v.textValue().isBlank() ? v.textValue() : null;
    }

    private static String textAt(JsonNode node, String object, String field) {
        JsonNode o = node.get(object);
        return o != null && o.isObject() ? text(o, field) : null;
    }

    /** Grype lists several fixes as {@code "2.12.6.1, 2.13.2.1"} or {@code "[2.12.6.1]"}: the first one. */
    private static String firstVersion(String s) {
        if (s == null) {
            return null;
        }
        String t = s.replace("[", "").replace("]", "").trim();
        if (t.isEmpty()) {
            return null;
        }
        String v = t.split("[,\\s]+")[0];
        return v.isEmpty() || v.toLowerCase(Locale.ROOT).startsWith("unknown") ? null : v;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static String find(Pattern p, String s) {
        Matcher m = p.matcher(s);
        return m.find() ? m.group() : null;
    }
}
