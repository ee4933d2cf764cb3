CREATE TABLE a (id INTEGER PRIMARY KEY);
INSERT INTO a VALUES (1);;

-- a comment before the last statement, which has no semicolon
SELECT 1
