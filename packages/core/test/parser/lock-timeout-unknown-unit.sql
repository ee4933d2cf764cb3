-- mig:lock-timeout 5sec
-- mig:up
ALTER TABLE users ADD COLUMN plan TEXT;
