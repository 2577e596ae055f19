-- The evidence log (ARCHITECTURE §3.6): an RFC 9162 Merkle log whose entries are DSSE envelopes exactly as received.

-- One row: the log's name and its size. Appends lock this row (SELECT ... FOR UPDATE): a single writer, so the
-- index of a new leaf is always the previous size, whatever the number of service instances.
create table log_head (
    id      smallint primary key check (id = 1),
    log_id  text     not null,
    size    bigint   not null check (size >= 0)
);

-- The leaves. entry is null once retention purged it; leaf_hash stays, so proofs remain valid. receipt is the
-- evidence key's signature over (log, leaf_index, leaf_hash): a row moved to another index or given another hash
-- no longer matches its receipt, which names the first bad index in chain verification (SECURITY-TESTS E.27).
create table evidence_leaf (
    leaf_index      bigint      primary key check (leaf_index >= 0),
    leaf_hash       bytea       not null,
    entry           bytea,
    entry_kind      text        not null,      -- bundle | purge
    capsule_id      text,
    environment     text,
    outcome         text,
    reason          text,                      -- admission/failure reason of a REJECTED or failed run
    tier            text,
    signer          text        not null,
    policy_version  bigint,                    -- policy in force when appended
    started_at      timestamptz,
    finished_at     timestamptz,
    received_at     timestamptz not null,
    purged_at       timestamptz,
    egress_mode     text        not null,      -- decided at append from the policy in force then
    egress_allow    text,                      -- JSON array of sanitizedAllow pointers (sanitized mode)
    projected_at    timestamptz,               -- outbox: set once the projection is acknowledged by the broker
    receipt         bytea       not null
);
create unique index evidence_leaf_hash on evidence_leaf (leaf_hash);
create index evidence_leaf_capsule on evidence_leaf (capsule_id);
create index evidence_leaf_env_time on evidence_leaf (environment, received_at);
create index evidence_leaf_time on evidence_leaf (received_at);

-- Hashes of complete subtrees (level >= 1) as MerkleTree.completedSubtrees lists them: proofs and roots in O(log n).
create table merkle_subtree (
    level  integer not null check (level >= 1),
    idx    bigint  not null check (idx >= 0),
    hash   bytea   not null,
    primary key (level, idx)
);

-- Signed tree heads, the DSSE bytes as signed.
create table checkpoint (
    size        bigint      primary key,
    root_hash   bytea       not null,
    envelope    bytea       not null,
    created_at  timestamptz not null
);

-- What could not be verified: never in the log, never dropped.
create table quarantine (
    id           bigserial   primary key,
    sha256       text        not null unique,
    kind         text        not null,          -- bundle | policy
    reason       text        not null,
    detail       text        not null,
    bytes        bytea       not null,
    received_at  timestamptz not null,
    source       text
);

-- The policy history this service follows (trust on install, then rotations from airlock.inbound.v1).
create table policy_history (
    version       bigint      primary key,
    digest        text        not null unique,
    envelope      bytea       not null,
    installed_at  timestamptz not null
);

-- Diode health reports (inbox: one row per record, de-duplicated by topic position).
create table diode_event (
    id           bigserial   primary key,
    position     text        not null unique,   -- partition@offset
    schema_name  text        not null,
    stream       text,
    gap_from     bigint,
    gap_to       bigint,
    body         bytea       not null,
    received_at  timestamptz not null
);
create index diode_event_time on diode_event (received_at);
