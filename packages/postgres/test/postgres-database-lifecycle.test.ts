import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import { DatabaseError, InvalidOptionsError } from '@mig/core'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { createDatabase, dropDatabase, probeDatabase } from '../src/postgres-database-lifecycle.js'
import { sql } from './support/postgres-test-database.js'

/** A URL on the test server for this database; the URL encodes what it must, as pg decodes it. */
function urlFor(name: string): string {
  const url = new URL(inject('postgresUrl'))
  url.pathname = `/${name}`
  return url.toString()
}

const created: string[] = []
afterAll(async () => {
  for (const name of created) await dropDatabase(urlFor(name)).catch(() => undefined)
})

describe('a PostgreSQL database, created, probed and dropped', () => {
  it('is missing, then created once, then ready; creating it again changes nothing; dropped once', async () => {
    const name = `mig_lifecycle_${randomBytes(4).toString('hex')}`
    created.push(name)
    const url = urlFor(name)
    expect(await probeDatabase(url)).toMatchObject({ state: 'missing-database' })
    expect(await createDatabase(url)).toBe('created')
    expect(await probeDatabase(url)).toEqual({ state: 'ready' })
    expect(await createDatabase(url)).toBe('exists')
    expect(await dropDatabase(url)).toBe('dropped')
    expect(await dropDatabase(url)).toBe('missing')
  })

  it('takes any name literally, quoted as an identifier: quotes, a semicolon and mixed case make no SQL of their own', async () => {
    const name = `Mig "odd"; DROP DATABASE postgres; -- ${randomBytes(3).toString('hex')}`
    created.push(name)
    expect(await createDatabase(urlFor(name))).toBe('created')
    const rows = await sql<{ datname: string }>(inject('postgresUrl'), 'SELECT datname FROM pg_database WHERE datname = $1', [name])
    expect(rows).toEqual([{ datname: name }])
    expect(await dropDatabase(urlFor(name))).toBe('dropped')
  })

  it('refuses a URL that names no database, and the databases the server needs, before connecting', async () => {
    const bare = new URL(inject('postgresUrl'))
    bare.pathname = '/'
    await expect(createDatabase(bare.toString())).rejects.toThrow(/names no database, so there is nothing to create/)
    for (const name of ['postgres', 'template0', 'template1']) {
      await expect(dropDatabase(urlFor(name))).rejects.toThrow(InvalidOptionsError)
    }
  })

  it('a closed port is unreachable (worth waiting for); a role that does not exist is thrown (it is not)', async () => {
    const port = await closedPort()
    const closed = new URL(inject('postgresUrl'))
    closed.port = String(port)
    expect(await probeDatabase(closed.toString(), { connectTimeoutMs: 2_000 })).toMatchObject({ state: 'unreachable' })
    const stranger = new URL(inject('postgresUrl'))
    stranger.username = `no_such_role_${randomBytes(3).toString('hex')}`
    await expect(probeDatabase(stranger.toString())).rejects.toThrow(DatabaseError)
  })
})

/** A port nothing listens on: one the system just handed out and took back. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
