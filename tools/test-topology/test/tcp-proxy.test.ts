import pg from 'pg'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { startTcpProxy, type TcpProxy } from '../src/index.js'

let proxy: TcpProxy | undefined
const clients: pg.Client[] = []
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.end().catch(() => {})))
  await proxy?.stop()
  proxy = undefined
})

async function startProxy(): Promise<TcpProxy> {
  const server = new URL(inject('postgresUrl'))
  proxy = await startTcpProxy({ target: { host: server.hostname, port: Number(server.port || 5432) } })
  return proxy
}

/** A client through the proxy whose connection errors are collected rather than thrown. */
async function connect(url: string, options: pg.ClientConfig = {}): Promise<{ client: pg.Client; errors: Error[] }> {
  const client = new pg.Client({ connectionString: url, ...options })
  const errors: Error[] = []
  client.on('error', (error) => errors.push(error))
  clients.push(client)
  await client.connect()
  return { client, errors }
}

describe('the TCP proxy', () => {
  it('forwards a session to the server, which sees the proxy as the client', async () => {
    const proxied = await startProxy()
    const { client } = await connect(proxied.url(inject('postgresUrl')))
    const { rows } = await client.query<{ port: number }>('SELECT inet_client_port() AS port')
    const localPort = (client as unknown as { connection: { stream: { localPort: number } } }).connection.stream.localPort
    // The server sees the proxy's socket as the client; the proxy says which of its connections that is.
    expect(proxied.connections).toEqual([{ clientPort: localPort, serverSidePort: rows[0]?.port }])
  })

  it('blackhole: a query gets no answer and no error, the socket stays open, until the client gives up', async () => {
    const proxied = await startProxy()
    const { client, errors } = await connect(proxied.url(inject('postgresUrl')), { query_timeout: 1_000 })
    proxied.blackhole()
    const started = Date.now()
    const outcome = await client.query('SELECT 1').catch((error: Error) => error)
    expect(String(outcome)).toMatch(/Query read timeout/)
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)
    expect(errors).toEqual([])
    expect(proxied.connections).toHaveLength(1)
  })

  it('blackhole of one connection: the others go on', async () => {
    const proxied = await startProxy()
    const silenced = await connect(proxied.url(inject('postgresUrl')), { query_timeout: 1_000 })
    const other = await connect(proxied.url(inject('postgresUrl')))
    const port = (await silenced.client.query<{ port: number }>('SELECT inet_client_port() AS port')).rows[0]?.port
    proxied.blackhole((connection) => connection.serverSidePort === port)
    await expect(silenced.client.query('SELECT 1')).rejects.toThrow(/Query read timeout/)
    expect((await other.client.query('SELECT 3 AS three')).rows).toEqual([{ three: 3 }])
  })

  it('blackhole: a client that gives up and closes leaves its server session open, until closeAll', async () => {
    const proxied = await startProxy()
    const { client } = await connect(proxied.url(inject('postgresUrl')))
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid
    proxied.blackhole()
    client.end().catch(() => {})
    const { client: direct } = await connect(inject('postgresUrl'))
    const alive = async () => (await direct.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rowCount === 1
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(await alive()).toBe(true)
    proxied.closeAll()
    for (let tries = 0; tries < 50 && (await alive()); tries++) await new Promise((resolve) => setTimeout(resolve, 100))
    expect(await alive()).toBe(false)
  })

  it('blackhole: a new connection hangs until its connect timeout', async () => {
    const proxied = await startProxy()
    proxied.blackhole()
    const client = new pg.Client({ connectionString: proxied.url(inject('postgresUrl')), connectionTimeoutMillis: 500 })
    client.on('error', () => {})
    const outcome = await client.connect().catch((error: Error) => error)
    expect(String(outcome)).toMatch(/timeout/i)
    proxied.resume()
    const { client: next } = await connect(proxied.url(inject('postgresUrl')))
    expect((await next.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }])
  })

  it('closeAll: every client sees its connection reset, and the server ends the session', async () => {
    const proxied = await startProxy()
    const { client, errors } = await connect(proxied.url(inject('postgresUrl')), { application_name: 'proxy-reset-probe' })
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid
    proxied.closeAll()
    await expect(client.query('SELECT 1')).rejects.toThrow()
    expect(errors.length).toBeGreaterThan(0)
    const { client: direct } = await connect(inject('postgresUrl'))
    for (let tries = 0; tries < 50; tries++) {
      const { rowCount } = await direct.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])
      if (rowCount === 0) return
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    throw new Error(`backend ${pid} outlived its reset connection`)
  })
})
