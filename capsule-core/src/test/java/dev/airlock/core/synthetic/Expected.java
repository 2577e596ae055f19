package dev.airlock.core.synthetic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The content of a scenario's {@code expected.json}: the verdict {@code airlock capsule verify} must print, its reason
 * code, the approvers counted for an admission and the mode the runner is told to use, the policy version in force afterwards (so a refused rotation is seen
 * to change nothing) and optionally a fragment the detail must contain when the reason alone would be ambiguous.
 */
public record Expected(String verdict, ReasonCode reason, List<Approver> approvers, String effectiveMode,
                       Long policyInForce, String detailContains) {

    /** One counted approver: principal id and the role it counted in. */
    public record Approver(String approver, String role) {
        @Override
        public String toString() {
            return approver + " (" + role + ")";
        }
    }

    public Expected {
        approvers = approvers == null ? List.of() : List.copyOf(approvers);
    }

    public boolean admitted() {
        return "admitted".equals(verdict);
    }

    public byte[] toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("verdict", verdict);
        m.put("reason", reason == null ? null : reason.name());
        if (admitted()) {
            List<Map<String, String>> list = new ArrayList<>();
            for (Approver a : approvers) {
                Map<String, String> e = new LinkedHashMap<>();
                e.put("approver", a.approver());
                e.put("role", a.role());
                list.add(e);
            }
            m.put("approvers", list);
            m.put("effectiveMode", effectiveMode);
        }
        m.put("policyInForce", policyInForce);
        if (detailContains != null) {
            m.put("detailContains", detailContains);
        }
        // The mapper omits nulls; the file states them explicitly so a reader sees "no reason" / "no policy".
        StringBuilder sb = new StringBuilder("{\n");
        int i = 0;
        for (Map.Entry<String, Object> e : m.entrySet()) {
            sb.append("  ").append(json(e.getKey())).append(": ");
            Object v = e.getValue();
            if (v instanceof List<?> l) {
                if (l.isEmpty()) {
                    sb.append("[]");
                } else {
                    sb.append("[\n");
                    for (int j = 0; j < l.size(); j++) {
                        @SuppressWarnings("unchecked")
                        Map<String, String> a = (Map<String, String>) l.get(j);
                        sb.append("    {\"approver\": ").append(json(a.get("approver"))).append(", \"role\": ")
                                .append(json(a.get("role"))).append('}').append(j + 1 < l.size() ? ",\n" : "\n");
                    }
                    sb.append("  ]");
                }
            } else if (v == null) {
                sb.append("null");
            } else if (v instanceof Long n) {
                sb.append(n);
            } else {
                sb.append(json(v.toString()));
            }
            sb.append(++i < m.size() ? ",\n" : "\n");
        }
        return sb.append("}\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String json(String s) {
        return new String(StrictJson.write(s), StandardCharsets.UTF_8);
    }

    public static Expected parse(byte[] bytes) throws VerificationException {
        JsonNode n = StrictJson.readTree(bytes, StrictJson.SIGNED);
        List<Approver> approvers = new ArrayList<>();
        if (n.has("approvers")) {
            for (JsonNode a : n.get("approvers")) {
                approvers.add(new Approver(a.get("approver").textValue(), a.get("role").textValue()));
            }
        }
        JsonNode reason = n.get("reason");
        JsonNode inForce = n.get("policyInForce");
        JsonNode detail = n.get("detailContains");
        JsonNode mode = n.get("effectiveMode");
        return new Expected(n.get("verdict").textValue(),
                reason == null || reason.isNull() ? null : ReasonCode.valueOf(reason.textValue()), approvers,
                mode == null ? null : mode.textValue(),
                inForce == null || inForce.isNull() ? null : inForce.longValue(),
                detail == null ? null : detail.textValue());
    }
}
