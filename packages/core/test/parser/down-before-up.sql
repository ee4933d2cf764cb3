-- mig:down
DROP TABLE a;
-- mig:up
CREATE TABLE a (id INTEGER);
