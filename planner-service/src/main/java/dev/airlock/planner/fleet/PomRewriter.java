package dev.airlock.planner.fleet;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Rewrites the version of one dependency in a Maven {@code pom.xml}, changing nothing but the version text: the
 * literal {@code <version>} of each matching {@code <dependency>} (in {@code <dependencies>} or
 * {@code <dependencyManagement>}), or, when that version is {@code ${property}}, the property's value in the same
 * POM's {@code <properties>}. Comments, CDATA, processing instructions and whitespace stay byte for byte; the file is
 * scanned, never re-serialised. Plugin dependencies and exclusions are not touched.
 */
public final class PomRewriter {

    /** Versions written into a POM: no markup, no property syntax, no whitespace. */
    public static final Pattern SAFE_VERSION = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$");
    private static final Pattern PROPERTY = Pattern.compile("^\\$\\{([A-Za-z0-9._-]+)}$");

    private PomRewriter() {
    }

    /** The edit made, for the summary. */
    public record Result(String content, List<String> edits) {
    }

    private record Element(String name, String path, int contentStart, int contentEnd, List<Element> children) {
        String text(String doc) {
            return doc.substring(contentStart, contentEnd);
        }

        Element child(String n) {
            return children.stream().filter(c -> c.name.equals(n)).findFirst().orElse(null);
        }
    }

    /**
     * @return the rewritten POM, or null when the POM does not declare {@code groupId:artifactId}
     * @throws FleetRefusal ALREADY_FIXED / NOT_DECLARED-style refusals for declarations that cannot be bumped
     */
    public static Result bump(String pom, String groupId, String artifactId, String currentVersion, String newVersion)
            throws FleetRefusal {
        if (!SAFE_VERSION.matcher(newVersion).matches()) {
            throw new FleetRefusal("NO_FIX_AVAILABLE", "fixed version " + quote(newVersion)
                    + " is not a plain version string");
        }
        Element root = scan(pom);
        if (root == null || !"project".equals(root.name)) {
            throw new FleetRefusal("NOT_DECLARED", "not a Maven POM (no <project> root)");
        }
        Map<String, Element> properties = new LinkedHashMap<>();
        Element props = root.child("properties");
        if (props != null) {
            props.children.forEach(p -> properties.putIfAbsent(p.name, p));
        }
        List<Element> deps = new ArrayList<>();
        collectDependencies(root, deps);
        // edits as (start, end, replacement), applied back to front
        Map<Integer, int[]> spans = new LinkedHashMap<>();
        List<String> edits = new ArrayList<>();
        boolean declared = false;
        for (Element d : deps) {
            Element g = d.child("groupId");
            Element a = d.child("artifactId");
            if (g == null || a == null || !g.text(pom).trim().equals(groupId) || !a.text(pom).trim().equals(artifactId)) {
                continue;
            }
            declared = true;
            Element v = d.child("version");
            if (v == null) {
                throw new FleetRefusal("NOT_DECLARED", groupId + ":" + artifactId + " is declared without a version"
                        + " in " + d.path + " (managed by a parent or BOM outside this file)");
            }
            String raw = v.text(pom).trim();
            var m = PROPERTY.matcher(raw);
            Element target = v;
            String where = d.path + "/version";
            if (m.matches()) {
                target = properties.get(m.group(1));
                where = "project/properties/" + m.group(1);
                if (target == null) {
                    throw new FleetRefusal("NOT_DECLARED", "the version of " + groupId + ":" + artifactId + " is "
                            + raw + ", a property not defined in this POM's <properties>");
                }
            }
            String value = target.text(pom).trim();
            if (value.equals(newVersion)) {
                continue;
            }
            if (currentVersion != null && !value.equals(currentVersion)) {
                throw new FleetRefusal("ALREADY_FIXED", where + " is " + quote(value) + ", not the vulnerable "
                        + currentVersion + "; nothing to bump");
            }
            int lead = target.text(pom).indexOf(value);
            int start = target.contentStart + lead;
            spans.put(start, new int[] {start, start + value.length()});
            edits.add(where + ": " + value + " → " + newVersion);
        }
        if (!declared) {
            return null;
        }
        if (spans.isEmpty()) {
            throw new FleetRefusal("ALREADY_FIXED", groupId + ":" + artifactId + " is already at " + newVersion);
        }
        StringBuilder out = new StringBuilder(pom);
        spans.values().stream().sorted((x, y) -> Integer.compare(y[0], x[0]))
                .forEach(s -> out.replace(s[0], s[1], newVersion));
        return new Result(out.toString(), edits);
    }

    private static void collectDependencies(Element e, List<Element> out) {
        for (Element c : e.children) {
            if ("plugin".equals(c.name) || "plugins".equals(c.name) || "exclusions".equals(c.name)) {
                continue;
            }
            if ("dependency".equals(c.name) && "dependencies".equals(e.name)) {
                out.add(c);
            } else {
                collectDependencies(c, out);
            }
        }
    }

    /** A minimal, position-keeping XML scan: elements with their content spans. */
    private static Element scan(String doc) throws FleetRefusal {
        Deque<Object[]> stack = new ArrayDeque<>(); // {name, path, contentStart, children}
        Element root = null;
        int i = 0;
        int n = doc.length();
        while (i < n) {
            int lt = doc.indexOf('<', i);
            if (lt < 0) {
                break;
            }
            if (doc.startsWith("<!--", lt)) {
                i = skip(doc, lt, "-->");
            } else if (doc.startsWith("<![CDATA[", lt)) {
                i = skip(doc, lt, "]]>");
            } else if (doc.startsWith("<?", lt)) {
                i = skip(doc, lt, "?>");
            } else if (doc.startsWith("<!", lt)) {
                i = skip(doc, lt, ">");
            } else if (doc.startsWith("</", lt)) {
                int gt = doc.indexOf('>', lt);
                if (gt < 0 || stack.isEmpty()) {
                    throw new FleetRefusal("NOT_DECLARED", "pom.xml is not well-formed XML");
                }
                String name = localName(doc.substring(lt + 2, gt).trim());
                Object[] open = stack.pop();
                if (!open[0].equals(name)) {
                    throw new FleetRefusal("NOT_DECLARED", "pom.xml is not well-formed XML (</" + name + ">)");
                }
                @SuppressWarnings("unchecked")
                Element el = new Element(name, (String) open[1], (int) open[2], lt, (List<Element>) open[3]);
                if (stack.isEmpty()) {
                    root = el;
                } else {
                    @SuppressWarnings("unchecked")
                    List<Element> siblings = (List<Element>) stack.peek()[3];
                    siblings.add(el);
                }
                i = gt + 1;
            } else {
                int gt = tagEnd(doc, lt);
                if (gt < 0) {
                    throw new FleetRefusal("NOT_DECLARED", "pom.xml is not well-formed XML");
                }
                String inner = doc.substring(lt + 1, gt);
                boolean selfClosing = inner.endsWith("/");
                String name = localName(inner.split("[\\s/]", 2)[0]);
                String path = stack.isEmpty() ? name : stack.peek()[1] + "/" + name;
                if (selfClosing) {
                    if (!stack.isEmpty()) {
                        @SuppressWarnings("unchecked")
                        List<Element> siblings = (List<Element>) stack.peek()[3];
                        siblings.add(new Element(name, path, gt, gt, List.of()));
                    }
                } else {
                    stack.push(new Object[] {name, path, gt + 1, new ArrayList<Element>()});
                }
                i = gt + 1;
            }
        }
        if (!stack.isEmpty()) {
            throw new FleetRefusal("NOT_DECLARED", "pom.xml is not well-formed XML (unclosed elements)");
        }
        return root;
    }

    /** The {@code >} closing a start tag, skipping quoted attribute values. */
    private static int tagEnd(String doc, int lt) {
        char quote = 0;
        for (int i = lt + 1; i < doc.length(); i++) {
            char c = doc.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '>') {
                return i;
            }
        }
        return -1;
    }

    private static int skip(String doc, int from, String end) throws FleetRefusal {
        int e = doc.indexOf(end, from);
        if (e < 0) {
            throw new FleetRefusal("NOT_DECLARED", "pom.xml is not well-formed XML (unterminated " + end + ")");
        }
        return e + end.length();
    }

    private static String localName(String qname) {
        int colon = qname.indexOf(':');
        return colon >= 0 ? qname.substring(colon + 1) : qname;
    }

    static String quote(String s) {
        return dev.airlock.core.scope.RepoPath.quote(s);
    }
}
