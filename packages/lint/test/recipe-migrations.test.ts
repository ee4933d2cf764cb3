import { describe, expect, it } from 'vitest'
import { recipeMigrations } from './recipe-migrations.js'

const flagged = { sql: 'ALTER TABLE users_new RENAME TO users;', mode: 'transaction' } as const

describe('reading a printed recipe as the migrations it describes', () => {
  it('starts a migration at each later one, outside a transaction under the -- mig:no-transaction header, and a way at each -- or', () => {
    const recipe = [
      '-- either this:',
      'ALTER TABLE users ADD COLUMN plan text;',
      '-- in a migration of its own, outside a transaction:',
      '-- mig:no-transaction',
      '-- mig:up',
      'CREATE INDEX CONCURRENTLY users_plan ON users (plan);',
      '-- then, in the next migration:',
      '-- mig:allow drop-column: v2.4 stopped using it',
      'ALTER TABLE users DROP COLUMN legacy;',
      '-- or, outside migrations:',
      '--   pg_repack --table=users <database>',
      '-- or a plain VACUUM',
      '-- mig:no-transaction',
      'VACUUM users;',
    ].join('\n')
    expect(recipeMigrations(recipe, flagged)).toEqual([
      [
        { sql: '-- either this:\nALTER TABLE users ADD COLUMN plan text;', mode: 'transaction' },
        { sql: 'CREATE INDEX CONCURRENTLY users_plan ON users (plan);', mode: 'no-transaction' },
        { sql: '-- mig:allow drop-column: v2.4 stopped using it\nALTER TABLE users DROP COLUMN legacy;', mode: 'transaction' },
      ],
      [{ sql: 'VACUUM users;', mode: 'no-transaction' }],
    ])
  })

  it('continues the flagged migration when the recipe says "in the same migration", and reads advice alone as no migration', () => {
    const recipe = '-- after ALTER TABLE … RENAME TO users, in the same migration:\nCREATE INDEX users_email ON users (email);'
    expect(recipeMigrations(recipe, flagged)).toEqual([
      [{ sql: 'ALTER TABLE users_new RENAME TO users;\nCREATE INDEX users_email ON users (email);', mode: 'transaction' }],
    ])
    expect(recipeMigrations('-- drop databases by hand, after a backup, never from a migration', flagged)).toEqual([])
  })
})
