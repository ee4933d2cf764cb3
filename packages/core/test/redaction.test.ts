import { Redactor, redactUrl, secretsOf } from '@mig/core'
import { describe, expect, it } from 'vitest'

describe('password redaction', () => {
  it('masks the password of a URL and keeps everything else', () => {
    expect(redactUrl('postgres://app:s3cret@db.internal:5432/app?sslmode=require')).toBe(
      'postgres://app:***@db.internal:5432/app?sslmode=require',
    )
    expect(redactUrl('postgresql://app@db/app')).toBe('postgresql://app@db/app')
    expect(redactUrl('postgres://db/app?password=s3cret&sslmode=require')).toBe('postgres://db/app?password=***&sslmode=require')
    expect(redactUrl('sqlite:./app.db')).toBe('sqlite:./app.db')
  })

  it('masks a password holding an unescaped @, inside longer text too', () => {
    expect(redactUrl('could not connect to postgres://app:p@ss@db:5432/app: timeout')).toBe(
      'could not connect to postgres://app:***@db:5432/app: timeout',
    )
  })

  it('masks a password holding unescaped @ and / whole, never part of it', () => {
    expect(redactUrl('postgres://u:ab@cd:ef/gh@host/db')).toBe('postgres://u:***@host/db')
    expect(secretsOf('postgres://u:ab@cd:ef/gh@host/db')).toContain('ab@cd:ef/gh')
    expect(redactUrl('see postgres://u:ab@cd:ef/gh@host/db?sslmode=require, then retry')).toBe(
      'see postgres://u:***@host/db?sslmode=require, then retry',
    )
  })

  it('masks each URL of a comma-separated list on its own, keeping every host', () => {
    expect(redactUrl('--only postgres://app@db-1:5999/t1,postgres://app@db-2/t2')).toBe(
      '--only postgres://app@db-1:5999/t1,postgres://app@db-2/t2',
    )
    expect(redactUrl('postgres://app:s3cret@db-1/t1,postgres://app:0ther@db-2/t2')).toBe(
      'postgres://app:***@db-1/t1,postgres://app:***@db-2/t2',
    )
  })

  it('takes no span over a list of URLs for a password, so a list of masked ids is printed whole', () => {
    const ids = 'postgres://app:***@db-1:5432/t1,postgres://app:***@db-2:5432/t2'
    expect(secretsOf(ids)).toEqual(['***'])
    expect(secretsOf('postgres://app:s3cret@db-1/t1,postgres://app:0ther@db-2/t2')).toEqual(['s3cret', '0ther'])
    const redactor = new Redactor()
    redactor.addUrl(ids)
    expect(redactor.redact(`--only '${ids}'`)).toBe(`--only '${ids}'`)
  })

  it('finds the password as written and percent-decoded', () => {
    expect(secretsOf('postgres://app:p%40ss%2Fword@db/app')).toEqual(['p%40ss%2Fword', 'p@ss/word'])
    expect(secretsOf('postgres://app@db/app')).toEqual([])
  })

  it('scrubs a remembered password wherever it appears, in text and in JSON values', () => {
    const redactor = new Redactor()
    redactor.addUrl('postgres://app:p%40ssword@db/app')
    expect(redactor.redact('authentication failed for password p@ssword')).toBe('authentication failed for password ***')
    expect(redactor.redactValue({ error: { message: 'p@ssword', list: ['x p%40ssword'] }, count: 1 })).toEqual({
      error: { message: '***', list: ['x ***'] },
      count: 1,
    })
  })

  it("redacts a target's messages with that target's password and the shared ones, and the shared redactor learns none", () => {
    const shared = new Redactor()
    shared.addUrl('postgres://admin:control-secret@db/control')
    const targets = Array.from({ length: 1_000 }, (_, index) => `postgres://app:tenant-secret-${index}@db-${index % 7}/tenant_${index}`)
    const redactors = targets.map((url) => shared.forUrl(url))
    expect(redactors[42]?.redact('auth failed: tenant-secret-42 (control-secret)')).toBe('auth failed: *** (***)')
    // Each target's redactor holds its own password only, so redacting a line costs the same
    // whatever the number of targets, and nothing stays behind once a target is reported.
    expect(redactors[42]?.redact('another target: tenant-secret-7')).toBe('another target: tenant-secret-7')
    expect(shared.redact('tenant-secret-42 control-secret')).toBe('tenant-secret-42 ***')
    expect(shared.forUrl('sqlite:./tenants/t0042.db')).toBe(shared)
    expect(shared.forUrl('postgres://app:abc@db/app').redact('postgres://app:abc@db/app abc')).toBe('postgres://app:***@db/app abc')
  })

  it('masks a password holding an unescaped ? or # in a URL given on its own, and an sslpassword parameter', () => {
    expect(redactUrl('postgres://app:pa#ss@db:5432/app')).toBe('postgres://app:***@db:5432/app')
    expect(redactUrl('postgres://app:pa?ss/word@db/app?sslmode=require')).toBe('postgres://app:***@db/app?sslmode=require')
    expect(secretsOf('postgres://app:pa?ss/word@db/app')).toContain('pa?ss/word')
    expect(redactUrl('postgres://app@db/app?sslpassword=key-secret&sslmode=require')).toBe(
      'postgres://app@db/app?sslpassword=***&sslmode=require',
    )
    expect(secretsOf('postgres://app@db/app?sslpassword=key-secret')).toEqual(['key-secret'])
    // An unescaped `@` in the query reads the same as a password holding `?`, so it is masked too;
    // percent-encoded (`%40`), it is kept.
    expect(redactUrl('postgres://db:5432/app?application_name=ci@runner')).toBe('postgres://db:***@runner')
    expect(redactUrl('postgres://db:5432/app?application_name=ci%40runner')).toBe('postgres://db:5432/app?application_name=ci%40runner')
    expect(redactUrl('could not reach postgres://db:5432/app?application_name=ci@runner')).toContain('postgres://db:5432/app')
  })

  it('masks the password of a key/value connection string given whole, and leaves SQL that says password alone', () => {
    expect(redactUrl('host=db port=5432 user=app password=s3cret dbname=app')).toBe('host=db port=5432 user=app password=*** dbname=app')
    expect(redactUrl("host=db password = 'two words\\' here' sslpassword=key-secret")).toBe('host=db password = *** sslpassword=***')
    expect(secretsOf("host=db password='two words' dbname=app")).toEqual(["'two words'", 'two words'])
    expect(redactUrl("  password = crypt('x', gen_salt('bf'))")).toBe("  password = crypt('x', gen_salt('bf'))")
    expect(redactUrl('UPDATE users SET password=$1 WHERE id=$2')).toBe('UPDATE users SET password=$1 WHERE id=$2')
  })

  it('masks the password of a URL given on its own without its scheme or its //', () => {
    expect(redactUrl('app:s3cret@db:5432/app')).toBe('app:***@db:5432/app')
    expect(redactUrl('postgres:/app:s3:cr@et@db/app')).toBe('postgres:/app:***@db/app')
    expect(secretsOf('app:s3cret@db/app')).toEqual(['s3cret'])
    expect(redactUrl('root@build-host')).toBe('root@build-host')
    expect(redactUrl('sqlite:./app.db')).toBe('sqlite:./app.db')
  })
})
