import { describe, expect, it } from 'vitest'
import { sqliteFilename } from '../src/sqlite-url.js'

describe('SQLite URLs', () => {
  it('reads paths relative to the base folder, absolute paths and :memory:', () => {
    expect(sqliteFilename('sqlite:./app.db', '/project')).toBe('/project/app.db')
    expect(sqliteFilename('sqlite:data/app.db', '/project')).toBe('/project/data/app.db')
    expect(sqliteFilename('sqlite:///var/app.db', '/project')).toBe('/var/app.db')
    expect(sqliteFilename('sqlite3::memory:', '/project')).toBe(':memory:')
    expect(() => sqliteFilename('sqlite:', '/project')).toThrow(/names no file/)
  })
})
