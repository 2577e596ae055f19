package dev.airlock.planner.service;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

import java.util.List;
import java.util.function.Function;

/** Sequential composition: a reactive session must never run two operations at once. */
final class Uniq {
    private Uniq() {
    }

    static <T, R> Uni<List<R>> each(List<T> items, Function<T, Uni<R>> step) {
        if (items.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return Multi.createFrom().iterable(items).onItem().<R>transformToUniAndConcatenate(t -> step.apply(t))
                .collect().asList();
    }

    static <T> Uni<Void> run(List<T> items, Function<T, Uni<?>> step) {
        return each(items, t -> step.apply(t).replaceWith(Boolean.TRUE)).replaceWithVoid();
    }
}
