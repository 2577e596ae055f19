package dev.airlock.planner.intake;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.planner.domain.OsvAdvisory;
import dev.airlock.planner.domain.Purl;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** OSV schema 1.x (https://ossf.github.io/osv-schema/): {@code id}, {@code modified}, {@code aliases}, {@code affected}. */
final class OsvParser {

    private static final Set<String> EVENT_FIELDS = Set.of("introduced", "fixed", "last_affected", "limit");
    private static final Set<String> RANGE_TYPES = Set.of("ECOSYSTEM", "SEMVER", "GIT");

    private OsvParser() {
    }

    static OsvAdvisory parse(JsonNode doc, String at) throws IntakeException {
        String id = Fields.text(doc, "id", at);
        String modified = Fields.text(doc, "modified", at);
        List<String> aliases = Fields.optTextList(doc, "aliases", at);
        String summary = Fields.optText(doc, "summary", at);
        String severity = null;
        JsonNode db = doc.get("database_specific");
        if (db != null && db.isObject() && db.path("severity").isTextual()) {
            severity = db.get("severity").textValue();
        }
        JsonNode sev = Fields.optArray(doc, "severity", at);
        if (severity == null && sev != null && !sev.isEmpty() && sev.get(0).path("score").isTextual()) {
            severity = sev.get(0).get("score").textValue();
        }
        List<OsvAdvisory.Affected> affected = new ArrayList<>();
        JsonNode aff = Fields.optArray(doc, "affected", at);
        if (aff != null) {
            for (int i = 0; i < aff.size(); i++) {
                String here = Fields.at(Fields.at(at, "affected"), i);
                JsonNode a = aff.get(i);
                Fields.requireObject(a, here);
                JsonNode pkg = Fields.object(a, "package", here);
                String pkgAt = Fields.at(here, "package");
                String ecosystem = Fields.text(pkg, "ecosystem", pkgAt);
                String name = Fields.text(pkg, "name", pkgAt);
                String purlText = Fields.optText(pkg, "purl", pkgAt);
                Purl purl = purlText != null ? Purl.parse(purlText).orElseThrow(() ->
                        IntakeException.malformed(Fields.at(pkgAt, "purl"), "not a package URL"))
                        : Purl.fromOsv(ecosystem, name, null).orElse(null);
                if (purl == null) {
                    continue; // an ecosystem we cannot name as a purl never matches an SBOM component
                }
                purl = purl.withVersion(null);
                List<OsvAdvisory.Range> ranges = new ArrayList<>();
                JsonNode rs = Fields.optArray(a, "ranges", here);
                if (rs != null) {
                    for (int r = 0; r < rs.size(); r++) {
                        ranges.add(range(rs.get(r), Fields.at(Fields.at(here, "ranges"), r)));
                    }
                }
                affected.add(new OsvAdvisory.Affected(purl, ranges, Fields.optTextList(a, "versions", here)));
            }
        }
        return new OsvAdvisory(id, aliases, modified, summary, severity, affected);
    }

    private static OsvAdvisory.Range range(JsonNode r, String at) throws IntakeException {
        Fields.requireObject(r, at);
        String type = Fields.text(r, "type", at);
        if (!RANGE_TYPES.contains(type)) {
            throw IntakeException.malformed(Fields.at(at, "type"), "range type must be one of " + RANGE_TYPES);
        }
        JsonNode events = Fields.array(r, "events", at);
        List<OsvAdvisory.Event> out = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            String here = Fields.at(Fields.at(at, "events"), i);
            JsonNode e = events.get(i);
            Fields.requireObject(e, here);
            if (e.size() != 1 || !EVENT_FIELDS.contains(e.fieldNames().next())) {
                throw IntakeException.malformed(here, "an event has exactly one of " + EVENT_FIELDS);
            }
            String field = e.fieldNames().next();
            String v = Fields.text(e, field, here);
            out.add(new OsvAdvisory.Event("introduced".equals(field) ? v : null, "fixed".equals(field) ? v : null,
                    "last_affected".equals(field) ? v : null, "limit".equals(field) ? v : null));
        }
        return new OsvAdvisory.Range(type, out);
    }
}
