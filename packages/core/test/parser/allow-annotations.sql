-- mig:allow drop-table: the table was emptied and unused since 2026-10
-- mig:up
-- mig:allow index-without-concurrently: the table has 40 rows
CREATE INDEX users_email ON users (email);
  --   mig:allow   set-not-null
DROP TABLE legacy_users;
-- mig:down
-- mig:allow drop-index-without-concurrently: rollback only
DROP INDEX users_email;
