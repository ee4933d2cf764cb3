CREATE TABLE constructor (toString TEXT, __proto__ TEXT, hasOwnProperty INTEGER);
CREATE TABLE trigger_log (trigger TEXT, temp TEXT, create_at TEXT);
INSERT INTO trigger_log VALUES ('create trigger', 'temp', 'end');
