SET standard_conforming_strings = off;
SELECT 'it\'s; fine';
SET standard_conforming_strings TO 'on';
SELECT 'C:\';
SET SESSION standard_conforming_strings = false;
SELECT 'a\\'; SELECT 'b';
RESET standard_conforming_strings;
SELECT 'c:\'; SELECT 'after';
