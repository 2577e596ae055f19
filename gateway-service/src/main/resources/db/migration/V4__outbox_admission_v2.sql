-- Admission records v2 (capsule-core Admission): the gateway signs a small statement that names the capsule by the
-- digest of its bytes, and the capsule goes beside it in the record, unsigned by the gateway. An admission row now
-- holds the signed statement itself (value) and where the capsule is; it has no separate signatures (they are in the
-- statement). Rows written before v2 (signatures set) are still put together as v1 envelopes after a restart.
ALTER TABLE outbox
    DROP CONSTRAINT outbox_capsule_reference,
    ADD CONSTRAINT outbox_capsule_reference CHECK (
        (signatures IS NULL AND capsule_topic IS NULL AND capsule_partition IS NULL AND capsule_offset IS NULL
            AND capsule_digest IS NULL)
        OR (capsule_topic IS NOT NULL AND capsule_partition IS NOT NULL AND capsule_offset IS NOT NULL
            AND capsule_digest IS NOT NULL));
