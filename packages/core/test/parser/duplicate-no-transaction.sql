-- mig:no-transaction
-- mig:no-transaction
-- mig:up
SELECT 1;
