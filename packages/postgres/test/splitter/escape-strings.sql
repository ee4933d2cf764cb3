SELECT E'it\'s; escaped', e'tab\t; newline\n';
SELECT E'backslash at the end \\'; SELECT E'doubled '' quote; too';
SELECT type'not an E string\'; SELECT 'after';
SELECT E'\\\'';
