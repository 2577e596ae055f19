-- An admission embeds the signed capsule it admits, and that capsule is already durable: it is the inbound record the
-- verdict was decided on, kept by the enclave broker. Writing it a second time into the outbox cost PostgreSQL most of
-- its work per admission (the value and its TOAST rows written, logged, deleted and vacuumed again within a second).
-- An admission row now holds only what the gateway added: the payload bytes before the capsule (value), the envelope's
-- signatures, and where the capsule is (the inbound record and the digest of its bytes). The relay publishes from
-- memory; after a restart it reads the capsule back from the broker, checks its digest and puts the same envelope
-- together again (Admission.reassemble). Other rows (rejections, evidence) keep their whole value as before.
ALTER TABLE outbox
    ADD COLUMN signatures         TEXT,
    ADD COLUMN capsule_topic      TEXT,
    ADD COLUMN capsule_partition  INTEGER,
    ADD COLUMN capsule_offset     BIGINT,
    ADD COLUMN capsule_digest     TEXT,
    ADD CONSTRAINT outbox_capsule_reference CHECK (
        (signatures IS NULL AND capsule_topic IS NULL AND capsule_partition IS NULL AND capsule_offset IS NULL
            AND capsule_digest IS NULL)
        OR (signatures IS NOT NULL AND capsule_topic IS NOT NULL AND capsule_partition IS NOT NULL
            AND capsule_offset IS NOT NULL AND capsule_digest IS NOT NULL));
