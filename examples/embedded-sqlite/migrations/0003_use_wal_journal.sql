-- SQLite ignores journal_mode inside a transaction, so this migration runs outside one.
-- mig:no-transaction
-- mig:up
PRAGMA journal_mode = WAL;

-- mig:down
PRAGMA journal_mode = DELETE;
