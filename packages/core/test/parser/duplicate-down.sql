-- mig:up
SELECT 1;
-- mig:down
SELECT 2;
-- mig:down
SELECT 3;
