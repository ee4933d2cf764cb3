INSERT INTO archive (id)
SELECT id FROM files WHERE name LIKE '%deleted%'
                                                                                AND size > 0;
SELECT 'a' -- ------------------------------------------------------------
                                                                                -- ------------------------------------------------------------
                                                                                'b; still the string';
SELECT 'c'                                                                                   -- ------------------------------------------------------------
SELECT 'd';
