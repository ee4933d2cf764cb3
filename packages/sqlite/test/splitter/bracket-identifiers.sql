CREATE TABLE [order] ([select;] TEXT);
SELECT [a]]b];
