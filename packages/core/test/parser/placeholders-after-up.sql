-- mig:up
-- mig:placeholders everywhere
SELECT 1;
