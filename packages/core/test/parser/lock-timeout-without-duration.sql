-- mig:lock-timeout soon
-- mig:up
ALTER TABLE users ADD COLUMN age INTEGER;
