-- mig:no-transaction
CREATE OR REPLACE VIEW active_users AS SELECT id FROM users;
