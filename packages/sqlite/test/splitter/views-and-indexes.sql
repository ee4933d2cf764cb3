CREATE VIEW recent AS SELECT * FROM events WHERE at > datetime('now', '-1 day');
CREATE UNIQUE INDEX IF NOT EXISTS events_key ON events (key) WHERE key IS NOT NULL;
DROP VIEW IF EXISTS old_view;
