-- mig:placeholders off
-- mig:up
SELECT 1;
