-- mig:up
-- only a comment

-- mig:down
SELECT 1;
