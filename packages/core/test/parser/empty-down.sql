-- mig:up
CREATE TABLE a (id INTEGER);
-- mig:down
-- nothing to undo? then say so with SQL, or leave the section out

