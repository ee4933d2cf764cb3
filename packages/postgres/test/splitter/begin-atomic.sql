CREATE FUNCTION one() RETURNS INT LANGUAGE sql
BEGIN ATOMIC
  SELECT 1;
END;
CREATE OR REPLACE FUNCTION grade(score INT) RETURNS TEXT LANGUAGE sql
BEGIN ATOMIC
  SELECT CASE WHEN score >= 90 THEN 'A;' WHEN score >= 80 THEN 'B' ELSE 'C' END;
END;
CREATE PROCEDURE add_user(email TEXT) LANGUAGE sql
BEGIN ATOMIC
  INSERT INTO users (email) VALUES (email);
  INSERT INTO audit (action) VALUES ('add_user');
END;
CREATE OR REPLACE PROCEDURE tidy() LANGUAGE sql
BEGIN ATOMIC
  DELETE FROM audit WHERE created_at < now() - interval '1 year';
  UPDATE users SET status = CASE status WHEN 'x' THEN 'y' ELSE status END;
END;
SELECT begin_date, end_date FROM events WHERE kind = 'begin';
BEGIN;
SELECT CASE WHEN true THEN 1 END;
END;
