-- mig:no-transaction
-- Build the index without blocking writes.
CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (lower(email));
CREATE UNIQUE INDEX CONCURRENTLY users_token_idx ON users (token) WHERE token IS NOT NULL;
ANALYZE users;
