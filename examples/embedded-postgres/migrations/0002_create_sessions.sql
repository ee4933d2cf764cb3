-- mig:up
CREATE TABLE sessions (
  token text PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL
);

-- mig:down
DROP TABLE sessions;
