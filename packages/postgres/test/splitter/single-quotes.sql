INSERT INTO notes (body) VALUES ('it''s; fine');
-- standard_conforming_strings: a backslash is an ordinary character here
SELECT 'C:\temp\'; SELECT 'two';
SELECT U&'d\0061t\+000061;', B'1010', X'1F', N'national;';
SELECT 'first;'
  'continued;';
