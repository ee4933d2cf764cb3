-- mig:lock-timeout 1.5 min
-- mig:up
ALTER TABLE users ADD COLUMN plan TEXT;
