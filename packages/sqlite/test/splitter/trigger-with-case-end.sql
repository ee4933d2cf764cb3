CREATE TRIGGER clamp_usage BEFORE INSERT ON usage
BEGIN
  SELECT CASE WHEN NEW.tokens < 0 THEN RAISE(ABORT, 'negative; tokens') END;
  UPDATE totals SET n = CASE WHEN n > 10 THEN 0 ELSE n + 1 END;
END;
SELECT 'after the trigger';
