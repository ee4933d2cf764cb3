-- mig:up
SELECT 1;
-- mig:up
SELECT 2;
