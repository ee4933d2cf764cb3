-- a line comment; with a semicolon
SELECT 1; -- trailing comment; here
/* a block comment; with a semicolon */
SELECT /* inline; */ 2;
/* nested /* comments; */ still a comment; */ SELECT 3;
SELECT 4 -- semicolon in a comment;
  + 5;
SELECT 6; /* between */ -- and
-- only comments after the last statement;
