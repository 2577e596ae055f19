package dev.airlock.planner.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.json.StrictJson;

import java.util.List;

/** JSON text columns: lists of strings and stored documents (written by this service only). */
public final class JsonText {
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };

    private JsonText() {
    }

    public static String of(List<String> list) {
        try {
            return StrictJson.mapper().writeValueAsString(list);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static List<String> list(String json) {
        if (json == null) {
            return List.of();
        }
        try {
            return StrictJson.mapper().readValue(json, STRINGS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON list is corrupt", e);
        }
    }

    public static JsonNode tree(String json) {
        if (json == null) {
            return null;
        }
        try {
            return StrictJson.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is corrupt", e);
        }
    }
}
