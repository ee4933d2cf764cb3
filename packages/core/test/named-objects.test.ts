import { describe, expect, it } from 'vitest'
import { createdObjects, droppedObjects } from '../src/named-objects.js'

describe('droppedObjects', () => {
  it.each([
    ['DROP VIEW active_users;', [['view', 'active_users']]],
    ['drop view if exists active_users', [['view', 'active_users']]],
    [
      'DROP VIEW app.active_users, "Report" CASCADE;',
      [
        ['view', 'active_users'],
        ['view', 'report'],
      ],
    ],
    ['DROP MATERIALIZED VIEW IF EXISTS "app"."Totals";', [['materialized view', 'totals']]],
    [
      'DROP FUNCTION add(int, int), app.sub(int, int) RESTRICT;',
      [
        ['function', 'add'],
        ['function', 'sub'],
      ],
    ],
    ['DROP PROCEDURE refresh_all();', [['procedure', 'refresh_all']]],
    ['DROP TRIGGER IF EXISTS touch_updated ON users;', [['trigger', 'touch_updated']]],
    ['DROP TRIGGER main.`Touch`;', [['trigger', 'touch']]],
    ['DROP TYPE mood;', [['type', 'mood']]],
    ['DROP DOMAIN email CASCADE;', [['domain', 'email']]],
    ['DROP VIEW "has ""quotes"""', [['view', 'has "quotes"']]],
    ['DROP TABLE users;', []],
    ['DROP INDEX users_email;', []],
    ["INSERT INTO log VALUES ('DROP VIEW active_users');", []],
    ['ALTER TABLE users DROP COLUMN email;', []],
  ])('%s', (statement, expected) => {
    expect(droppedObjects(statement).map(({ kind, name }) => [kind, name])).toEqual(expected)
  })
})

describe('createdObjects', () => {
  it.each([
    ['CREATE VIEW active_users AS SELECT 1;', [['view', 'active_users']]],
    ['create or replace view app.Active_Users as select 1', [['view', 'active_users']]],
    ['CREATE TEMP VIEW IF NOT EXISTS "Recent" AS SELECT 1', [['view', 'recent']]],
    ['CREATE RECURSIVE VIEW tree (id) AS SELECT 1', [['view', 'tree']]],
    ['CREATE MATERIALIZED VIEW IF NOT EXISTS totals AS SELECT 1', [['materialized view', 'totals']]],
    ['CREATE OR REPLACE FUNCTION app.add(a int, b int) RETURNS int AS $$ SELECT a + b $$ LANGUAGE sql;', [['function', 'add']]],
    ['CREATE PROCEDURE refresh_all() LANGUAGE sql AS $$ SELECT 1 $$;', [['procedure', 'refresh_all']]],
    ['CREATE CONSTRAINT TRIGGER check_owner AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();', [['trigger', 'check_owner']]],
    ['CREATE TRIGGER IF NOT EXISTS `touch` AFTER UPDATE ON users BEGIN SELECT 1; END;', [['trigger', 'touch']]],
    ["CREATE TYPE mood AS ENUM ('sad', 'ok');", [['type', 'mood']]],
    ['CREATE DOMAIN email AS text;', [['domain', 'email']]],
    ['CREATE TABLE users (id int);', []],
    ['CREATE UNIQUE INDEX users_email ON users (email);', []],
    ['DROP VIEW active_users;', []],
  ])('%s', (statement, expected) => {
    expect(createdObjects(statement).map(({ kind, name }) => [kind, name])).toEqual(expected)
  })
})
