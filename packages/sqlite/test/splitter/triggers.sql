CREATE TRIGGER audit_insert AFTER INSERT ON tokens
BEGIN
  INSERT INTO audit (what) VALUES ('insert; token');
  UPDATE counters SET n = n + 1 WHERE name = 'tokens';
END;
CREATE TEMP TRIGGER IF NOT EXISTS clamp BEFORE UPDATE ON usage
BEGIN
  SELECT CASE WHEN NEW.n < 0 THEN RAISE(ABORT, 'negative') END;
END ;
EXPLAIN CREATE TABLE e (id INTEGER);
CREATE TABLE end_of_story (end_at TEXT);
