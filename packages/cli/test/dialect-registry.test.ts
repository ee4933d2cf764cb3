import { describe, expect, it } from 'vitest'
import { driverFromUrl } from '../src/dialect-registry.ts'

describe('the dialect registry', () => {
  it('does not echo the password of a URL it rejects', async () => {
    await expect(driverFromUrl('mysql://root:hunter22@db/app', { baseDirectory: '.', access: 'read-write' })).rejects.toThrow(
      /mysql:\/\/root:\*\*\*@db\/app/,
    )
    await expect(driverFromUrl('postgres://root:hunter22@[bad/app', { baseDirectory: '.', access: 'read-write' })).rejects.not.toThrow(
      /hunter22/,
    )
  })

  it('names the SQLite URL meant by a bare file name', async () => {
    await expect(driverFromUrl('data/app.db', { baseDirectory: '.', access: 'read-write' })).rejects.toThrow(
      'The database URL data/app.db has no scheme. A SQLite file is written sqlite:data/app.db.',
    )
    await expect(driverFromUrl('localhost/app', { baseDirectory: '.', access: 'read-write' })).rejects.toThrow(
      'is not supported. Use sqlite:./app.db',
    )
  })

  it("gives each URL to its dialect's package", async () => {
    expect((await driverFromUrl('sqlite::memory:', { baseDirectory: '.', access: 'read-write' })).dialect).toBe('sqlite')
    expect((await driverFromUrl('postgresql://app@db:5432/app', { baseDirectory: '.', access: 'read-write' })).dialect).toBe('postgres')
  })
})
