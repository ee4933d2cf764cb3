CREATE TABLE t (id INTEGER);
INSERT INTO t VALUES (1); -- héllo; wörld
SELECT '日本語; テキスト';
