package dev.airlock.planner.fleet;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites a dependency's version spec in an npm {@code package.json}, in {@code dependencies},
 * {@code devDependencies} or {@code optionalDependencies}, keeping the spec's operator ({@code ^}, {@code ~},
 * {@code =}) and every other byte of the file. Only plain specs ({@code [op]x.y.z}) are rewritten; ranges, tags, URLs
 * and git specs are refused. A {@code package-lock.json} is not rewritten (that needs the registry); the validation
 * run installs from the offline cache.
 */
public final class PackageJsonRewriter {

    private static final Set<String> SECTIONS = Set.of("dependencies", "devDependencies", "optionalDependencies");
    private static final Pattern SPEC = Pattern.compile("^([\\^~=]?)v?([0-9][A-Za-z0-9.+-]*)$");
    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private PackageJsonRewriter() {
    }

    /** @return the rewritten file, or null when it does not declare the package */
    public static PomRewriter.Result bump(String json, String packageName, String currentVersion, String newVersion)
            throws FleetRefusal {
        if (!PomRewriter.SAFE_VERSION.matcher(newVersion).matches()) {
            throw new FleetRefusal("NO_FIX_AVAILABLE", "fixed version " + PomRewriter.quote(newVersion)
                    + " is not a plain version string");
        }
        List<int[]> spans = new ArrayList<>();
        List<String> replacements = new ArrayList<>();
        List<String> edits = new ArrayList<>();
        boolean declared = false;
        try (JsonParser p = FACTORY.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new FleetRefusal("NOT_DECLARED", "package.json is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String section = p.currentName();
                JsonToken t = p.nextToken();
                if (!SECTIONS.contains(section) || t != JsonToken.START_OBJECT) {
                    p.skipChildren();
                    continue;
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    JsonToken v = p.nextToken();
                    if (!name.equals(packageName)) {
                        p.skipChildren();
                        continue;
                    }
                    declared = true;
                    if (v != JsonToken.VALUE_STRING) {
                        throw new FleetRefusal("NOT_DECLARED", section + "." + name + " is not a version string");
                    }
                    int start = (int) p.currentTokenLocation().getCharOffset();
                    String spec = p.getText();
                    int end = (int) p.currentLocation().getCharOffset();
                    if (!json.substring(start, end).equals("\"" + spec + "\"")) {
                        throw new FleetRefusal("NOT_DECLARED", section + "." + name + " uses escapes in its spec");
                    }
                    Matcher m = SPEC.matcher(spec);
                    if (!m.matches()) {
                        throw new FleetRefusal("NOT_DECLARED", section + "." + name + " is "
                                + PomRewriter.quote(spec) + ", not a plain version the fleet can bump");
                    }
                    if (m.group(2).equals(newVersion)) {
                        continue;
                    }
                    if (currentVersion != null && !m.group(2).equals(currentVersion) && m.group(1).isEmpty()) {
                        throw new FleetRefusal("ALREADY_FIXED", section + "." + name + " pins " + spec
                                + ", not the vulnerable " + currentVersion);
                    }
                    spans.add(new int[] {start + 1, end - 1});
                    replacements.add(m.group(1) + newVersion);
                    edits.add(section + "." + name + ": " + spec + " → " + m.group(1) + newVersion);
                }
            }
        } catch (IOException e) {
            throw new FleetRefusal("NOT_DECLARED", "package.json is not valid JSON");
        }
        if (!declared) {
            return null;
        }
        if (spans.isEmpty()) {
            throw new FleetRefusal("ALREADY_FIXED", packageName + " is already at " + newVersion);
        }
        StringBuilder out = new StringBuilder(json);
        for (int i = spans.size() - 1; i >= 0; i--) {
            out.replace(spans.get(i)[0], spans.get(i)[1], replacements.get(i));
        }
        return new PomRewriter.Result(out.toString(), edits);
    }
}
