CREATE FUNCTION add_one(i INT) RETURNS INT LANGUAGE plpgsql AS $$
BEGIN
  RETURN i + 1; -- a semicolon in the body
END;
$$;
CREATE FUNCTION tagged() RETURNS TEXT LANGUAGE sql AS $body$
  SELECT $$a dollar-quoted string; inside$$ || 'quote''s;'
$body$;
DO $outer$ BEGIN PERFORM $inner$ nested; $inner$; PERFORM '$$'; END $outer$;
SELECT $$ $tag$ is not a closing tag here; $$;
PREPARE find_user(INT) AS SELECT * FROM users WHERE id = $1;
EXECUTE find_user(1);
SELECT price$usd, a$$b FROM prices;
SELECT $_x1$ tag with digits; $_x1$;
