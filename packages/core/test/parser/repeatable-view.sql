-- The active users, redefined whenever this file changes.
-- mig:lock-timeout 5s
DROP VIEW IF EXISTS active_users;
CREATE VIEW active_users AS SELECT id, email FROM users WHERE deleted_at IS NULL;
