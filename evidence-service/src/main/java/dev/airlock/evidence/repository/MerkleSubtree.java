package dev.airlock.evidence.repository;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.util.Objects;

/** Hash of a complete subtree (level ≥ 1), stored once when its last leaf is appended. */
@Entity
@Table(name = "merkle_subtree")
@IdClass(MerkleSubtree.Key.class)
public class MerkleSubtree extends PanacheEntityBase {
    @Id
    public int level;

    @Id
    public long idx;

    @Column(nullable = false)
    public byte[] hash;

    public static class Key implements Serializable {
        private static final long serialVersionUID = 1L;
        public int level;
        public long idx;

        public Key() {
        }

        public Key(int level, long idx) {
            this.level = level;
            this.idx = idx;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.level == level && k.idx == idx;
        }

        @Override
        public int hashCode() {
            return Objects.hash(level, idx);
        }
    }
}
