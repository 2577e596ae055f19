-- planner-service schema (ARCHITECTURE §8). One intake document = one transaction; JSON kept as text.

-- every document taken in, REST or Kafka, by the digest of its exact bytes
CREATE TABLE intake_documents (
    id            BIGSERIAL PRIMARY KEY,
    kind          VARCHAR(32)  NOT NULL,
    name          VARCHAR(512),
    digest        VARCHAR(80)  NOT NULL,
    channel       VARCHAR(16)  NOT NULL,
    received_at   TIMESTAMPTZ  NOT NULL
);

-- Kafka inbox: a record's side effects commit together with its id, so a redelivery changes nothing
CREATE TABLE inbox (
    message_id    VARCHAR(512) PRIMARY KEY,
    topic         VARCHAR(255) NOT NULL,
    digest        VARCHAR(80)  NOT NULL,
    received_at   TIMESTAMPTZ  NOT NULL
);

CREATE TABLE sboms (
    name          VARCHAR(512) PRIMARY KEY,
    serial_number VARCHAR(512),
    spec_version  VARCHAR(16)  NOT NULL,
    root_ref      VARCHAR(2048),
    root_purl     VARCHAR(2048),
    digest        VARCHAR(80)  NOT NULL,
    ingested_at   TIMESTAMPTZ  NOT NULL
);

CREATE TABLE components (
    id            BIGSERIAL PRIMARY KEY,
    sbom_name     VARCHAR(512)  NOT NULL REFERENCES sboms (name) ON DELETE CASCADE,
    bom_ref       VARCHAR(2048) NOT NULL,
    purl          VARCHAR(2048),
    scope         VARCHAR(32),
    position      INTEGER       NOT NULL,
    UNIQUE (sbom_name, bom_ref)
);
CREATE INDEX components_purl ON components (purl);

CREATE TABLE component_dependencies (
    id            BIGSERIAL PRIMARY KEY,
    sbom_name     VARCHAR(512)  NOT NULL REFERENCES sboms (name) ON DELETE CASCADE,
    from_ref      VARCHAR(2048) NOT NULL,
    to_ref        VARCHAR(2048),
    position      INTEGER       NOT NULL
);
CREATE INDEX component_dependencies_sbom ON component_dependencies (sbom_name);

CREATE TABLE service_graphs (
    name          VARCHAR(128) PRIMARY KEY,
    digest        VARCHAR(80)  NOT NULL,
    ingested_at   TIMESTAMPTZ  NOT NULL
);

CREATE TABLE services (
    id            BIGSERIAL PRIMARY KEY,
    graph_name    VARCHAR(128) NOT NULL REFERENCES service_graphs (name) ON DELETE CASCADE,
    name          VARCHAR(128) NOT NULL,
    exposure      VARCHAR(16)  NOT NULL,
    criticality   VARCHAR(16)  NOT NULL,
    sbom_name     VARCHAR(512),
    repository    VARCHAR(128),
    environment   VARCHAR(128),
    position      INTEGER      NOT NULL,
    UNIQUE (graph_name, name)
);

CREATE TABLE service_calls (
    id            BIGSERIAL PRIMARY KEY,
    graph_name    VARCHAR(128) NOT NULL REFERENCES service_graphs (name) ON DELETE CASCADE,
    from_service  VARCHAR(128) NOT NULL,
    to_service    VARCHAR(128) NOT NULL,
    UNIQUE (graph_name, from_service, to_service)
);

CREATE TABLE advisories (
    id            VARCHAR(256) PRIMARY KEY,
    modified      VARCHAR(64)  NOT NULL,
    aliases       TEXT         NOT NULL,
    summary       TEXT,
    document      TEXT         NOT NULL,
    digest        VARCHAR(80)  NOT NULL,
    ingested_at   TIMESTAMPTZ  NOT NULL
);

CREATE TABLE exploitability (
    vulnerability_id VARCHAR(256) PRIMARY KEY,
    kev           BOOLEAN,
    epss          VARCHAR(16),
    ssvc          VARCHAR(16),
    updated_at    TIMESTAMPTZ  NOT NULL
);

CREATE TABLE findings (
    id               BIGSERIAL PRIMARY KEY,
    fingerprint      VARCHAR(80)   NOT NULL UNIQUE,
    source           VARCHAR(8)    NOT NULL,
    vulnerability_id VARCHAR(256)  NOT NULL,
    aliases          TEXT          NOT NULL,
    cve              VARCHAR(64),
    rule_id          VARCHAR(512),
    tool             VARCHAR(256),
    title            TEXT,
    severity         VARCHAR(128),
    component_purl   VARCHAR(2048),
    sbom_name        VARCHAR(512),
    advisory_id      VARCHAR(256),
    fixed_version    VARCHAR(128),
    sarif            TEXT,
    status           VARCHAR(16)   NOT NULL,
    tier             VARCHAR(2),
    proposed_tier    VARCHAR(2),
    first_seen       TIMESTAMPTZ   NOT NULL,
    last_seen        TIMESTAMPTZ   NOT NULL,
    updated_at       TIMESTAMPTZ   NOT NULL
);
CREATE INDEX findings_tier ON findings (tier);

CREATE TABLE reachability_results (
    finding_id    BIGINT       PRIMARY KEY REFERENCES findings (id) ON DELETE CASCADE,
    reachable     BOOLEAN      NOT NULL,
    known         BOOLEAN      NOT NULL,
    path          TEXT         NOT NULL,
    reasoning     TEXT         NOT NULL,
    service       VARCHAR(128),
    sbom_name     VARCHAR(512),
    product       VARCHAR(2048),
    computed_at   TIMESTAMPTZ  NOT NULL
);

-- every tier a finding was given, with the reasoning; the last row is the tier in force
CREATE TABLE tier_decisions (
    id            BIGSERIAL PRIMARY KEY,
    finding_id    BIGINT       NOT NULL REFERENCES findings (id) ON DELETE CASCADE,
    tier          VARCHAR(2)   NOT NULL,
    reasoning     TEXT         NOT NULL,
    kev           BOOLEAN,
    epss          VARCHAR(16),
    ssvc          VARCHAR(16),
    decided_at    TIMESTAMPTZ  NOT NULL
);
CREATE INDEX tier_decisions_finding ON tier_decisions (finding_id);

-- (lineage, sequence) only grows (ARCHITECTURE §3.2); one counter per lineage
CREATE TABLE lineage_sequences (
    lineage       VARCHAR(512) PRIMARY KEY,
    last_sequence BIGINT       NOT NULL
);

-- proposals and refusals; PENDING rows are the outbox of airlock.proposals.v1
CREATE TABLE proposals (
    id             BIGSERIAL PRIMARY KEY,
    capsule_id     VARCHAR(64)  UNIQUE,
    finding_id     BIGINT       NOT NULL REFERENCES findings (id),
    fleet          VARCHAR(128) NOT NULL,
    lineage        VARCHAR(512),
    sequence       BIGINT,
    tier           VARCHAR(2)   NOT NULL,
    environment    VARCHAR(128),
    repository     VARCHAR(128),
    status         VARCHAR(16)  NOT NULL,
    reason_code    VARCHAR(32),
    detail         TEXT,
    summary        TEXT,
    envelope       BYTEA,
    capsule_digest VARCHAR(80),
    value          BYTEA,
    created_at     TIMESTAMPTZ  NOT NULL,
    published_at   TIMESTAMPTZ,
    CHECK (status IN ('PENDING', 'PUBLISHED', 'REFUSED')),
    CHECK (tier <> 'T0' OR status = 'REFUSED'),
    CHECK (status = 'REFUSED' OR (capsule_id IS NOT NULL AND envelope IS NOT NULL AND value IS NOT NULL))
);
CREATE INDEX proposals_status ON proposals (status);
CREATE INDEX proposals_finding ON proposals (finding_id);

-- policy history: trusted on install, then rotations verified link by link (PolicyTrust)
CREATE TABLE policies (
    version       BIGINT       PRIMARY KEY,
    digest        VARCHAR(80)  NOT NULL UNIQUE,
    envelope      BYTEA        NOT NULL,
    installed_at  TIMESTAMPTZ  NOT NULL
);
