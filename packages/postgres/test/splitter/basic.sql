CREATE TABLE users (id BIGINT PRIMARY KEY, email TEXT NOT NULL);

INSERT INTO users (id, email) VALUES (1, 'a@example.com');;
  ;
UPDATE users SET email = lower(email)
