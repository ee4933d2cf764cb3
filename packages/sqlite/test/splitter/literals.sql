INSERT INTO blobs VALUES (X'00FF;', 'it''s', "id;", 1.5e3, -- a; comment
  'multi
line; string');
SELECT $name, :name, @name, ?1;
