package dev.airlock.planner.reach;

import dev.airlock.planner.domain.Exploitability;
import dev.airlock.planner.domain.ServiceGraph;

import java.util.ArrayList;
import java.util.List;

/**
 * The tiering rule (planner-service README, "Tiering"), fixed in code so that it is the same everywhere and reviewable:
 * <pre>
 *   unreachable                                   → T0  (parked, exported as OpenVEX, never proposed)
 *   reachable ∧ exploitable ∧ critical service    → T3
 *   reachable ∧ exploitable                       → T2
 *   reachable                                     → T1
 * </pre>
 * exploitable = listed in CISA KEV, or EPSS ≥ 0.5, or SSVC decision "act". Unknown reachability counts as reachable,
 * and an unknown service counts as critical (no evidence of the contrary lowers the bar).
 */
public final class Tiering {

    private Tiering() {
    }

    public record Decision(String tier, List<String> reasoning) {
        public Decision {
            reasoning = List.copyOf(reasoning);
        }
    }

    public static Decision decide(ReachabilityResult reach, Exploitability exploit) {
        List<String> why = new ArrayList<>(reach.reasoning());
        if (!reach.reachable()) {
            why.add("rule: unreachable → T0");
            return new Decision("T0", why);
        }
        Exploitability e = exploit == null ? Exploitability.UNKNOWN : exploit;
        why.add("exploitability: " + (e.kev() == null ? "KEV unknown" : e.kevListed() ? "listed in CISA KEV"
                : "not in CISA KEV") + "; EPSS " + (e.epss() == null ? "unknown" : e.epss()
                + (e.epssHigh() ? " ≥ 0.5" : " < 0.5")) + "; SSVC " + (e.ssvc() == null ? "unknown" : e.ssvc()));
        ServiceGraph.Service s = reach.service();
        boolean critical = s == null || s.critical();
        why.add(s == null ? "service unknown: counts as critical"
                : "service " + s.name() + " criticality " + s.criticality());
        if (e.exploitable() && critical) {
            why.add("rule: reachable ∧ exploitable ∧ critical service → T3");
            return new Decision("T3", why);
        }
        if (e.exploitable()) {
            why.add("rule: reachable ∧ exploitable → T2");
            return new Decision("T2", why);
        }
        why.add("rule: reachable, not known to be exploited → T1");
        return new Decision("T1", why);
    }
}
