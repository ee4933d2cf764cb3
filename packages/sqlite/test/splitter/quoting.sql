INSERT INTO notes (body) VALUES ('it''s; not the end');
CREATE TABLE "semi;colon" ([weird;name] TEXT, `back;tick` TEXT);
/* a block; comment */ SELECT 2; -- trailing; comment
SELECT 'unterminated; string
