\restrict abc123

SET statement_timeout = 0;
CREATE TABLE t (id int);
\unrestrict abc123
