SELECT 1;
CREATE TABLE "never closed; (id INTEGER);
