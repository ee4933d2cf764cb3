import { randomBytes } from 'node:crypto'
import { freePort } from '@mig-internal/test-postgres'
import { describe, expect, inject, it } from 'vitest'
import { query, runMig } from '../repro/mig-cli.js'
import { startTcpProxy, type TcpProxy, targetFromUrl } from '../src/index.js'

/** The test server's URL on another port, with a password (the server's own, or one it ignores) that must never be printed. */
function onPort(port: number): string {
  const url = new URL(inject('postgresUrl'))
  url.password ||= 'wait-secret-pw'
  url.hostname = '127.0.0.1'
  url.port = String(port)
  return url.toString()
}

describe('mig wait', () => {
  it('gives up on a closed port after --timeout with exit code 7, naming the masked URL and the last error', async () => {
    const url = onPort(await freePort())
    const run = await runMig(['wait', '--url', url, '--timeout', '2'])
    expect(run.exitCode).toBe(7)
    expect(run.ms).toBeGreaterThanOrEqual(2_000)
    expect(run.ms).toBeLessThan(10_000)
    expect(run.document?.error).toMatchObject({
      code: 'MIG_WAIT_TIMEOUT',
      timeoutSeconds: 2,
      lastError: expect.stringContaining('ECONNREFUSED'),
    })
    expect(run.stderr).toMatch(/Waiting for postgres:\/\/[^:]+:\*\*\*@127\.0\.0\.1:\d+\/.*ECONNREFUSED/)
    expect(run.stdout + run.stderr).not.toContain(new URL(url).password)
  })

  it('returns as soon as a server starts listening on the port', async () => {
    const port = await freePort()
    let proxy: TcpProxy | undefined
    const opening = setTimeout(async () => {
      proxy = await startTcpProxy({ target: targetFromUrl(inject('postgresUrl')), port })
    }, 2_500)
    try {
      const run = await runMig(['wait', '--url', onPort(port), '--timeout', '30'])
      expect(run.exitCode).toBe(0)
      expect(run.document).toMatchObject({ ok: true, command: 'wait', ready: true, databaseExists: true })
      expect(run.ms).toBeGreaterThanOrEqual(2_500)
      expect(run.ms).toBeLessThan(15_000)
      expect(run.stderr).toContain('ECONNREFUSED')
    } finally {
      clearTimeout(opening)
      await proxy?.stop()
    }
  })

  it('stops at once, without waiting out --timeout, when the server refuses the role', async () => {
    const role = `mig_wait_${randomBytes(4).toString('hex')}`
    await query(inject('postgresUrl'), `CREATE ROLE ${role} NOLOGIN`)
    try {
      const url = new URL(inject('postgresUrl'))
      url.username = role
      const run = await runMig(['wait', '--url', url.toString(), '--timeout', '60'])
      expect(run.exitCode).toBe(6)
      expect(run.ms).toBeLessThan(10_000)
      expect(run.document?.error).toMatchObject({ code: 'MIG_DATABASE_ERROR', message: expect.stringContaining('not permitted to log in') })
    } finally {
      await query(inject('postgresUrl'), `DROP ROLE IF EXISTS ${role}`)
    }
  })

  it('succeeds at once against the live server', async () => {
    const run = await runMig(['wait', '--url', inject('postgresUrl')])
    expect(run.exitCode).toBe(0)
    expect(run.document).toMatchObject({ ok: true, ready: true, databaseExists: true, attempts: 1 })
  })
})
