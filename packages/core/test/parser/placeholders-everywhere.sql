-- Fills ${schema} in the function body too.
-- mig:placeholders everywhere
-- mig:up
CREATE FUNCTION ${schema}.now_utc() RETURNS timestamptz AS $$ SELECT now() AT TIME ZONE '${zone}' $$ LANGUAGE sql;
-- mig:down
DROP FUNCTION ${schema}.now_utc();
