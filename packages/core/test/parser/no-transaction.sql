-- mig:no-transaction
-- mig:up
CREATE INDEX CONCURRENTLY users_email ON users (email);
-- mig:down
DROP INDEX CONCURRENTLY users_email;
