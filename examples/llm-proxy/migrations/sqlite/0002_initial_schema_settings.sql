-- Settings from schema/schema.sql that last in the database but take no effect inside a transaction.
-- mig:no-transaction
-- mig:up
PRAGMA journal_mode = WAL;

-- mig:down
PRAGMA journal_mode = DELETE;
