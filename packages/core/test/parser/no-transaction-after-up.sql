-- mig:up
-- mig:no-transaction
SELECT 1;
