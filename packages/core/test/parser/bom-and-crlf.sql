-- mig:up
CREATE TABLE a (id INTEGER);
-- mig:down
DROP TABLE a;
