-- The queue page lists the newest capsules first (order by received_at desc, capsule_id, limit 500). Without an index
-- every request sorted the whole table: 17 ms at 27,000 capsules on the development machine, growing with the table.
create index capsules_received on capsules (received_at desc, capsule_id);
