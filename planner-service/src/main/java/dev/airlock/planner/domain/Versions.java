package dev.airlock.planner.domain;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Version order for OSV {@code ECOSYSTEM}/{@code SEMVER} ranges, following Maven's {@code ComparableVersion} rules
 * (which also order SemVer versions correctly in the common cases): a version splits into numbers and qualifiers at
 * {@code .}, {@code -} and digit/letter transitions; numbers compare numerically; qualifiers rank
 * {@code alpha < beta < milestone < rc < snapshot < (release, "ga", "final") < sp < anything else (lexical)};
 * a number outranks a qualifier; missing trailing parts count as {@code 0} / release, so {@code 1.0 == 1.0.0 ==
 * 1.0.Final}. SemVer build metadata ({@code +...}) is ignored.
 */
public final class Versions {

    public static final Comparator<String> ORDER = Versions::compare;

    private static final Map<String, Integer> RANK = Map.ofEntries(
            Map.entry("alpha", 0), Map.entry("a", 0), Map.entry("beta", 1), Map.entry("b", 1),
            Map.entry("milestone", 2), Map.entry("m", 2), Map.entry("rc", 3), Map.entry("cr", 3),
            Map.entry("preview", 3), Map.entry("snapshot", 4), Map.entry("", 5), Map.entry("ga", 5),
            Map.entry("final", 5), Map.entry("release", 5), Map.entry("sp", 6));
    private static final int RELEASE = 5;
    private static final int UNKNOWN_QUALIFIER = 7;

    private Versions() {
    }

    public static int compare(String a, String b) {
        List<Object> x = items(a);
        List<Object> y = items(b);
        int n = Math.max(x.size(), y.size());
        for (int i = 0; i < n; i++) {
            Object p = i < x.size() ? x.get(i) : null;
            Object q = i < y.size() ? y.get(i) : null;
            int c = compareItem(p, q);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static int compareItem(Object p, Object q) {
        if (p == null && q == null) {
            return 0;
        }
        if (p == null) {
            return -compareItem(q, null);
        }
        if (p instanceof BigInteger bp) {
            if (q == null) {
                return bp.signum();
            }
            if (q instanceof BigInteger bq) {
                return bp.compareTo(bq);
            }
            return 1; // a number outranks any qualifier
        }
        String sp = (String) p;
        if (q == null) {
            return Integer.compare(rank(sp), RELEASE);
        }
        if (q instanceof BigInteger) {
            return -1;
        }
        String sq = (String) q;
        int c = Integer.compare(rank(sp), rank(sq));
        if (c != 0) {
            return c;
        }
        return rank(sp) == UNKNOWN_QUALIFIER ? sp.compareTo(sq) : 0;
    }

    private static int rank(String qualifier) {
        return RANK.getOrDefault(qualifier, UNKNOWN_QUALIFIER);
    }

    private static List<Object> items(String version) {
        String v = version == null ? "" : version.trim().toLowerCase(Locale.ROOT);
        int plus = v.indexOf('+');
        if (plus >= 0) {
            v = v.substring(0, plus);
        }
        if (v.startsWith("v") && v.length() > 1 && Character.isDigit(v.charAt(1))) {
            v = v.substring(1);
        }
        List<Object> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        Boolean digits = null;
        for (int i = 0; i <= v.length(); i++) {
            char c = i < v.length() ? v.charAt(i) : '.';
            boolean sep = c == '.' || c == '-' || c == '_';
            boolean d = Character.isDigit(c);
            if (sep || (digits != null && d != digits && cur.length() > 0)) {
                if (cur.length() > 0) {
                    out.add(digits ? new BigInteger(cur.toString()) : cur.toString());
                }
                cur.setLength(0);
                digits = null;
                if (sep) {
                    continue;
                }
            }
            cur.append(c);
            digits = d;
        }
        // "1.0.0" == "1" == "1.final": trailing zeros and release markers carry no order
        while (!out.isEmpty()) {
            Object last = out.get(out.size() - 1);
            if ((last instanceof BigInteger b && b.signum() == 0) || (last instanceof String s && rank(s) == RELEASE)) {
                out.remove(out.size() - 1);
            } else {
                break;
            }
        }
        return out;
    }
}
