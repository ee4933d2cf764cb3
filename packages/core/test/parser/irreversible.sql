-- mig:up
CREATE TABLE a (id INTEGER);
