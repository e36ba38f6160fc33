-- Version 2: events keep their JSON text as written (`json`, not `jsonb`).
-- Every engine reads the whole event log back when it rebuilds; `jsonb`
-- made the server re-serialise each event on every read (1.2 s of the
-- demo's 917,554 events) and refused the rare text with a NUL escape.
-- `body->>'customer_id'` still works on `json`, parsing as it reads.
ALTER TABLE events ALTER COLUMN body TYPE json USING body::json;
