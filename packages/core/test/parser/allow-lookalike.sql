-- mig:up
SELECT 1;
-- mig:allowed index-without-concurrently: not the allow annotation
