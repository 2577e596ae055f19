package dev.airlock.planner.service;

import dev.airlock.planner.repository.FindingEntity;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/** Finding look-ups shared by the REST resources and the fleets. */
public final class FindingQueries {
    private FindingQueries() {
    }

    /** A finding by numeric id or by fingerprint ({@code sha256:…}); 404 when there is none. */
    public static Uni<FindingEntity> resolve(String ref) {
        return Panache.withSession(() -> {
            Uni<FindingEntity> q;
            if (ref != null && ref.matches("^[0-9]{1,18}$")) {
                q = FindingEntity.findById(Long.parseLong(ref));
            } else {
                q = FindingEntity.<FindingEntity>find("fingerprint", ref).firstResult();
            }
            return q.onItem().ifNull().failWith(() -> ApiException.notFound("finding " + ref));
        });
    }
}
