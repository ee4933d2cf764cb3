CREATE OR REPLACE VIEW active_users AS SELECT id FROM users;
-- mig:down
DROP VIEW active_users;
