package dev.airlock.approval.domain;

import java.util.Locale;

/** Where a decision came from; recorded with it and in the audit trail. */
public enum Via {
    /** {@code POST /api/capsules/{id}/decisions} (the CLI's {@code --post}, scripts), HTTP Basic. */
    API,
    /** The approval web page, signed in the browser. */
    WEB,
    /** {@code airlock.decisions.v1} (external approval UIs). */
    KAFKA,
    /** This service's automation principal under a tier's {@code autoApprove}. */
    AUTO;

    public String db() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Decisions over HTTP are bound to the authenticated user; Kafka and automation are not. */
    public boolean authenticated() {
        return this == API || this == WEB;
    }
}
