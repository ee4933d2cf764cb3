CREATE TABLE "odd;name" ("a""b;" INT, "E'" TEXT);
SELECT "a""b;" FROM "odd;name";
CREATE TABLE U&"d\0061t;" (id INT);
