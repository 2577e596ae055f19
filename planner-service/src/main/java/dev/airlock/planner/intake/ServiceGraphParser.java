package dev.airlock.planner.intake;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.planner.domain.ServiceGraph;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** {@code airlock.service-graph/v1} (planner-service README, "Service graph"). Unknown fields are refused. */
final class ServiceGraphParser {

    private static final Set<String> FIELDS = Set.of("schema", "name", "services");
    private static final Set<String> SERVICE_FIELDS = Set.of("name", "exposure", "criticality", "calls", "sbom",
            "repository", "environment");
    /** The identifier alphabet of capsule fields (repository and environment end up in signed capsules). */
    private static final Pattern IDENT = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,127}$");

    private ServiceGraphParser() {
    }

    static ServiceGraph parse(JsonNode doc, String at) throws IntakeException {
        only(doc, FIELDS, at);
        String schema = Fields.text(doc, "schema", at);
        if (!ServiceGraph.SCHEMA.equals(schema)) {
            throw IntakeException.malformed(Fields.at(at, "schema"), "expected " + ServiceGraph.SCHEMA);
        }
        String name = ident(doc, "name", at, true);
        JsonNode services = Fields.array(doc, "services", at);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < services.size(); i++) {
            String here = Fields.at(Fields.at(at, "services"), i);
            Fields.requireObject(services.get(i), here);
            if (!names.add(ident(services.get(i), "name", here, true))) {
                throw IntakeException.malformed(Fields.at(here, "name"), "service name is not unique in the graph");
            }
        }
        List<ServiceGraph.Service> out = new ArrayList<>();
        for (int i = 0; i < services.size(); i++) {
            String here = Fields.at(Fields.at(at, "services"), i);
            JsonNode s = services.get(i);
            only(s, SERVICE_FIELDS, here);
            String exposure = Fields.text(s, "exposure", here);
            if (!ServiceGraph.EXPOSURES.contains(exposure)) {
                throw IntakeException.malformed(Fields.at(here, "exposure"), "must be one of "
                        + ServiceGraph.EXPOSURES);
            }
            String criticality = Fields.optText(s, "criticality", here);
            if (criticality == null) {
                criticality = "standard";
            } else if (!ServiceGraph.CRITICALITIES.contains(criticality)) {
                throw IntakeException.malformed(Fields.at(here, "criticality"), "must be one of "
                        + ServiceGraph.CRITICALITIES);
            }
            List<String> calls = Fields.optTextList(s, "calls", here);
            for (int j = 0; j < calls.size(); j++) {
                if (!names.contains(calls.get(j))) {
                    throw IntakeException.malformed(Fields.at(Fields.at(here, "calls"), j),
                            "calls a service that is not in the graph");
                }
            }
            out.add(new ServiceGraph.Service(Fields.text(s, "name", here), exposure, criticality, calls,
                    Fields.optText(s, "sbom", here), ident(s, "repository", here, false),
                    ident(s, "environment", here, false)));
        }
        return new ServiceGraph(name, out);
    }

    private static String ident(JsonNode node, String field, String at, boolean required) throws IntakeException {
        String v = required ? Fields.text(node, field, at) : Fields.optText(node, field, at);
        if (v != null && !IDENT.matcher(v).matches()) {
            throw IntakeException.malformed(Fields.at(at, field),
                    "must be 1-128 characters of letters, digits and ._:@/+- starting with a letter or digit");
        }
        return v;
    }

    private static void only(JsonNode node, Set<String> allowed, String at) throws IntakeException {
        Fields.requireObject(node, at);
        for (var it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw IntakeException.malformed(Fields.at(at, f), "unknown field");
            }
        }
    }
}
