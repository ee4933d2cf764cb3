SELECT E'a\n'
'it\'s; b';
SELECT E'x'  -- a comment

  'y\'; z';
SELECT 'plain'
'continued\';
SELECT 'no newline' ;
