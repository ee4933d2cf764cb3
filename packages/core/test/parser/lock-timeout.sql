-- Waits up to 30 s for each table lock instead of the driver default.
-- mig:lock-timeout 30s
-- mig:up
ALTER TABLE users ADD COLUMN age INTEGER;
-- mig:down
ALTER TABLE users DROP COLUMN age;
