-- mig:up
SELECT 1;
-- mig:transaction
