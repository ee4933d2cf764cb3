CREATE OR REPLACE VIEW active_users AS SELECT id FROM users;
-- mig:lock-timeout 5s
