-- approval-service schema (ARCHITECTURE §8). Documents are kept as the exact bytes that arrived, so what is shown,
-- counted and emitted is what was signed.

-- Policy history: the first row was trusted on install, every later one verified against its predecessor.
create table policy_history (
    version      bigint primary key,
    digest       text        not null unique,
    envelope     bytea       not null,
    installed_at timestamptz not null
);

-- The queue. The primary key is also the proposals' inbox: a capsule id is queued once.
create table capsules (
    capsule_id       text primary key,
    capsule_digest   text        not null,
    status           text        not null check (status in ('pending', 'parked', 'rejected', 'authorized', 'emitted')),
    tier             text        not null,
    environment      text        not null,
    proposer         text        not null,
    policy_version   bigint      not null,
    capsule_envelope bytea       not null,
    proposal         bytea       not null,
    summary          text,
    finding_id       text,
    reason           text,
    detail           text,
    received_at      timestamptz not null,
    updated_at       timestamptz not null
);
create index capsules_status_tier on capsules (status, tier);

-- Accepted decisions (approvals and rejections). envelope_sha256 is the decisions' inbox: the same signed decision,
-- from any channel, is stored once.
create table decisions (
    id              bigserial primary key,
    capsule_id      text        not null references capsules (capsule_id),
    envelope_sha256 text        not null unique,
    envelope        bytea       not null,
    approver        text        not null,
    role            text        not null,
    decision        text        not null check (decision in ('approve', 'reject')),
    basis           text        not null,
    ticket          text,
    decided_at      timestamptz not null,
    received_at     timestamptz not null,
    received_via    text        not null,
    received_from   text
);
create index decisions_capsule on decisions (capsule_id, id);

-- Transactional outbox of signed capsules: written in the authorizing transaction, published by the relay, marked
-- sent after the broker's acknowledgement. One row per capsule: emitted exactly once.
create table outbox (
    id            bigserial primary key,
    capsule_id    text        not null unique references capsules (capsule_id),
    payload       bytea       not null,
    created_at    timestamptz not null,
    claimed_until timestamptz,
    sent_at       timestamptz
);
create index outbox_unsent on outbox (id) where sent_at is null;

-- Append-only audit trail of every proposal, decision, refusal and emission.
create table audit_events (
    seq            bigserial primary key,
    at             timestamptz not null,
    kind           text        not null,
    actor          text,
    via            text,
    capsule_id     text,
    capsule_digest text,
    tier           text,
    reason         text,
    detail         text,
    subject_digest text
);
create index audit_capsule on audit_events (capsule_id, seq);

-- The trail is append-only for everyone, the owning role included: no code path updates or deletes it, and the
-- database refuses if one tries.
create function audit_events_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'audit_events is append-only (% refused)', tg_op;
end;
$$;
create trigger audit_events_no_update_delete before update or delete on audit_events
    for each row execute function audit_events_append_only();
create trigger audit_events_no_truncate before truncate on audit_events
    for each statement execute function audit_events_append_only();
