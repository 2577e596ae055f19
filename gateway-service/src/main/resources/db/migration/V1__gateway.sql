-- gateway-service: the enclave's admission state (ARCHITECTURE §1, §3.1, §5). One transaction per inbound batch writes
-- the verdicts, the ledger, the policy history, the inbox and the outbox together.

-- Installed policies, oldest first. Re-verified link by link with PolicyTrust at every start-up, so an edited row is
-- detected instead of trusted.
CREATE TABLE policy_history (
    version       BIGINT      PRIMARY KEY,
    digest        TEXT        NOT NULL UNIQUE,
    envelope      BYTEA       NOT NULL,
    source        TEXT        NOT NULL CHECK (source IN ('initial-policy', 'inbound')),
    installed_at  TIMESTAMPTZ NOT NULL
);

-- Every admitted capsule, once: the primary key is what makes a second admission of the same id impossible.
CREATE TABLE admission_ledger (
    capsule_id      TEXT        PRIMARY KEY,
    lineage         TEXT        NOT NULL,
    sequence        BIGINT      NOT NULL,
    capsule_digest  TEXT        NOT NULL,
    policy_version  BIGINT      NOT NULL,
    verdict_id      UUID        NOT NULL,
    admitted_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX admission_ledger_lineage ON admission_ledger (lineage, sequence);

-- The highest admitted sequence of each lineage; locked (SELECT ... FOR UPDATE) by the transaction that admits into it.
CREATE TABLE lineage_head (
    lineage        TEXT        PRIMARY KEY,
    last_sequence  BIGINT      NOT NULL,
    capsule_id     TEXT        NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);

-- Every decision on an inbound record: capsule verdicts and policy installs or rejections.
CREATE TABLE verdicts (
    id                UUID        PRIMARY KEY,
    kind              TEXT        NOT NULL CHECK (kind IN ('capsule', 'policy')),
    record_topic      TEXT        NOT NULL,
    record_partition  INTEGER     NOT NULL,
    record_offset     BIGINT      NOT NULL,
    record_key        TEXT,
    inbound_digest    TEXT        NOT NULL,
    verdict           TEXT        NOT NULL CHECK (verdict IN ('admitted', 'rejected', 'installed', 'unchanged')),
    reason            TEXT,
    detail            TEXT        NOT NULL,
    capsule_id        TEXT,
    capsule_digest    TEXT,
    lineage           TEXT,
    sequence          BIGINT,
    policy_version    BIGINT,
    effective_mode    TEXT,
    decided_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX verdicts_capsule ON verdicts (capsule_id);
CREATE INDEX verdicts_record ON verdicts (record_topic, record_partition, record_offset);

-- Deliveries already decided (topic, partition, offset and the digest of the bytes): a redelivery after a crash or
-- a rebalance is recognised and changes nothing.
CREATE TABLE inbox (
    delivery          TEXT        PRIMARY KEY,
    record_topic      TEXT        NOT NULL,
    record_partition  INTEGER     NOT NULL,
    record_offset     BIGINT      NOT NULL,
    inbound_digest    TEXT        NOT NULL,
    verdict_id        UUID        NOT NULL,
    processed_at      TIMESTAMPTZ NOT NULL
);

-- Records to publish, written in the transaction that decided them and deleted once the broker acknowledged them.
CREATE SEQUENCE outbox_seq INCREMENT BY 50;
CREATE TABLE outbox (
    id          BIGINT      PRIMARY KEY,
    topic       TEXT        NOT NULL,
    record_key  TEXT        NOT NULL,
    ce_type     TEXT        NOT NULL,
    ce_id       TEXT        NOT NULL,
    ce_time     TIMESTAMPTZ NOT NULL,
    value       BYTEA       NOT NULL,
    verdict_id  UUID        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
-- out of line and uncompressed: the rows live for milliseconds, compressing them (pglz) is CPU for nothing
ALTER TABLE outbox ALTER COLUMN value SET STORAGE EXTERNAL;
