-- An outbox row lives from its transaction until the broker acknowledges it (usually well under a second), and its
-- value is an admission: a DSSE envelope whose base64 payload embeds the signed capsule (up to about 1.4x the capsule,
-- so up to about 6 MiB). The default storage (EXTENDED) compressed every such value with pglz on insert and
-- decompressed it for the relay: CPU spent on every admission for bytes that are deleted moments later. EXTERNAL keeps
-- large values out of line (TOAST) but uncompressed. Existing rows are not rewritten; new ones are stored this way.
ALTER TABLE outbox ALTER COLUMN value SET STORAGE EXTERNAL;
