-- Built without blocking writes to sessions, which needs to run outside a transaction.
-- mig:no-transaction
-- mig:up
CREATE INDEX CONCURRENTLY IF NOT EXISTS sessions_account_id ON sessions (account_id);

-- mig:down
DROP INDEX CONCURRENTLY IF EXISTS sessions_account_id;
