package dev.airlock.planner.intake;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.planner.domain.Purl;
import dev.airlock.planner.domain.Sbom;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * CycloneDX 1.4+ JSON BOM: {@code metadata.component} (the root), {@code components[]} (nested ones too) with
 * {@code bom-ref} and {@code purl}, and the {@code dependencies[]} graph. Every {@code ref} and {@code dependsOn} target
 * must name a component of the BOM (CycloneDX 1.4 §dependencies: refs are bom-refs); a dangling one is refused, since
 * a reachability proof over a graph with holes would prove nothing.
 */
final class CycloneDxParser {

    private static final Set<String> SPEC_VERSIONS = Set.of("1.4", "1.5", "1.6", "1.7");

    private CycloneDxParser() {
    }

    static Sbom parse(JsonNode doc, String at, String nameHint) throws IntakeException {
        String format = Fields.text(doc, "bomFormat", at);
        if (!"CycloneDX".equals(format)) {
            throw IntakeException.malformed(Fields.at(at, "bomFormat"), "must be \"CycloneDX\"");
        }
        String spec = Fields.text(doc, "specVersion", at);
        if (!SPEC_VERSIONS.contains(spec)) {
            throw IntakeException.malformed(Fields.at(at, "specVersion"), "CycloneDX " + spec
                    + " is not supported; 1.4 or later is required (" + SPEC_VERSIONS + ")");
        }
        String serial = Fields.optText(doc, "serialNumber", at);
        String name = nameHint != null ? nameHint : serial;
        if (name == null || name.isBlank()) {
            throw IntakeException.malformed(Fields.at(at, "serialNumber"),
                    "an SBOM needs a name: give the intake wrapper's \"name\" or the BOM's serialNumber");
        }
        String rootRef = null;
        Purl rootPurl = null;
        JsonNode metadata = Fields.optObject(doc, "metadata", at);
        if (metadata != null) {
            JsonNode root = Fields.optObject(metadata, "component", Fields.at(at, "metadata"));
            if (root != null) {
                String rootAt = Fields.at(Fields.at(at, "metadata"), "component");
                rootPurl = purl(root, rootAt);
                rootRef = Fields.optText(root, "bom-ref", rootAt);
                if (rootRef == null && rootPurl != null) {
                    rootRef = Fields.text(root, "purl", rootAt);
                }
            }
        }
        List<Sbom.Component> components = new ArrayList<>();
        Set<String> refs = new HashSet<>();
        if (rootRef != null) {
            refs.add(rootRef);
        }
        JsonNode list = Fields.optArray(doc, "components", at);
        if (list != null) {
            collect(list, Fields.at(at, "components"), components, refs);
        }
        Map<String, List<String>> graph = new LinkedHashMap<>();
        JsonNode deps = Fields.optArray(doc, "dependencies", at);
        if (deps != null) {
            for (int i = 0; i < deps.size(); i++) {
                String here = Fields.at(Fields.at(at, "dependencies"), i);
                JsonNode d = deps.get(i);
                Fields.requireObject(d, here);
                String ref = Fields.text(d, "ref", here);
                if (!refs.contains(ref)) {
                    throw IntakeException.malformed(Fields.at(here, "ref"), "names no component of the BOM");
                }
                List<String> on = Fields.optTextList(d, "dependsOn", here);
                for (int j = 0; j < on.size(); j++) {
                    if (!refs.contains(on.get(j))) {
                        throw IntakeException.malformed(Fields.at(Fields.at(here, "dependsOn"), j),
                                "names no component of the BOM");
                    }
                }
                if (graph.containsKey(ref)) {
                    throw IntakeException.malformed(Fields.at(here, "ref"), "the BOM lists this ref twice");
                }
                graph.put(ref, new ArrayList<>(new LinkedHashSet<>(on)));
            }
        }
        return new Sbom(name, serial, spec, rootRef, rootPurl, components, graph);
    }

    private static void collect(JsonNode list, String at, List<Sbom.Component> out, Set<String> refs)
            throws IntakeException {
        for (int i = 0; i < list.size(); i++) {
            String here = Fields.at(at, i);
            JsonNode c = list.get(i);
            Fields.requireObject(c, here);
            Purl purl = purl(c, here);
            String ref = Fields.optText(c, "bom-ref", here);
            if (ref == null) {
                ref = Fields.optText(c, "purl", here);
            }
            if (ref == null) {
                ref = "#" + here; // a component nobody can reference: kept for listing, never on a path
            }
            if (!refs.add(ref)) {
                throw IntakeException.malformed(Fields.at(here, "bom-ref"), "bom-ref is not unique in the BOM");
            }
            out.add(new Sbom.Component(ref, purl, Fields.optText(c, "scope", here)));
            JsonNode nested = Fields.optArray(c, "components", here);
            if (nested != null) {
                collect(nested, Fields.at(here, "components"), out, refs);
            }
        }
    }

    private static Purl purl(JsonNode c, String at) throws IntakeException {
        String text = Fields.optText(c, "purl", at);
        if (text == null || text.isEmpty()) {
            return null;
        }
        return Purl.parse(text).orElseThrow(() -> IntakeException.malformed(Fields.at(at, "purl"),
                "not a package URL"));
    }
}
