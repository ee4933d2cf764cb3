-- Creates the users table.

-- mig:up
CREATE TABLE users (
  id INTEGER PRIMARY KEY
);

-- mig:down
DROP TABLE users;
