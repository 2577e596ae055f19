package dev.airlock.evidence.rest;

import dev.airlock.core.json.StrictJson;
import dev.airlock.evidence.domain.Problem;

import java.time.Instant;

/** Query parameters, with a clear 400 for a bad one. */
final class Params {
    private Params() {
    }

    static Instant instant(String value, String name) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return StrictJson.parseInstant(value);
        } catch (IllegalArgumentException e) {
            throw Problem.badRequest(name + " must be an RFC 3339 UTC timestamp such as 2026-11-25T10:00:00Z, got '"
                    + (value.length() > 40 ? value.substring(0, 40) + "…" : value) + "'");
        }
    }

    static Long number(String value, String name) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            long v = Long.parseLong(value);
            if (v < 0) {
                throw Problem.badRequest(name + " must not be negative");
            }
            return v;
        } catch (NumberFormatException e) {
            throw Problem.badRequest(name + " must be a whole number, got '"
                    + (value.length() > 40 ? value.substring(0, 40) + "…" : value) + "'");
        }
    }
}
