-- mig:up
-- mig:lock-timeout 5s
ALTER TABLE users ADD COLUMN age INTEGER;
