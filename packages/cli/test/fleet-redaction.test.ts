import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Redactor } from '@mig/core'
import { freePort } from '@mig-internal/test-postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NO_COLOURS } from '../src/colours.ts'
import { parseCommandLine } from '../src/command-line.ts'
import { runFleetCommand } from '../src/fleet-command.ts'
import { Output } from '../src/output.ts'
import { runFleetMig } from './fleet-support.ts'
import { SQL, temporaryDirectory } from './run-mig.ts'

const TARGETS = 200

let project: { path: string; remove: () => Promise<void> }

beforeAll(async () => {
  project = await temporaryDirectory('fleet-redaction')
  await mkdir(join(project.path, 'migrations'))
  await writeFile(join(project.path, 'migrations', '0001_create_users.sql'), SQL.createUsers)
})

afterAll(async () => {
  await project?.remove()
})

/** Runs `mig <argv>` in this process, with the redactor and the text it wrote in the test's hands. */
async function runInProcess(argv: string[], redactor: Redactor) {
  const written = { stdout: '', stderr: '' }
  const output = new Output({
    format: argv.includes('--json') ? 'json' : 'human',
    stdout: { write: (text: string) => (written.stdout += text) },
    stderr: { write: (text: string) => (written.stderr += text) },
    colours: NO_COLOURS,
    errorColours: NO_COLOURS,
    redactor,
  })
  const { command, flags, positionals } = parseCommandLine(argv)
  const result = await runFleetCommand(
    {
      flags,
      positionals,
      environment: {},
      workingDirectory: project.path,
      output,
      signal: new AbortController().signal,
      cancelSignal: new AbortController().signal,
    },
    command?.name as 'status',
  )
  output.flush()
  return { ...result, ...written }
}

describe('passwords in a fleet', () => {
  it("each target's report is redacted with its own password, which the run's redactor never learns", async () => {
    // Nothing listens on the port: every target is unreachable, and its error names its URL.
    const port = await freePort()
    const urls = Array.from({ length: TARGETS }, (_, index) => `postgres://app:tenant-password-${index}@127.0.0.1:${port}/tenant_${index}`)
    const targets = join(project.path, 'targets.txt')
    await writeFile(targets, `${urls.join('\n')}\n`)
    const redactor = new Redactor()
    const run = await runInProcess(
      ['status', '--fleet', '--dir', join(project.path, 'migrations'), '--targets', `@${targets}`, '--keep-going', '--retries', '0'],
      redactor,
    )
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain(`unreachable  postgres://app:***@127.0.0.1:${port}/tenant_7:`)
    expect(`${run.stdout}${run.stderr}`).not.toContain('tenant-password-')
    // Had the run's redactor remembered every target's password, it would scan each string
    // for all of them: redacting would grow with the fleet, and so would memory.
    expect(redactor.redact(urls.map((_, index) => `tenant-password-${index}`).join(' '))).not.toContain('***')
  }, 60_000)

  it('the resume command never prints a password: it shows it masked and says to give it again', async () => {
    const port = await freePort()
    const url = `postgres://app:resume-password@127.0.0.1:${port}/app`
    const argv = ['status', '--fleet', '--dir', join(project.path, 'migrations'), '--targets', url, '--keep-going', '--retries', '0']
    const masked = `'postgres://app:***@127.0.0.1:${port}/app'`

    const human = await runInProcess(argv, new Redactor())
    expect(human.exitCode).toBe(1)
    expect(human.stdout).toContain(
      `Resume with: mig status --fleet --dir ${join(project.path, 'migrations')} --targets ${masked} --keep-going --retries 0 --only ${masked}\n` +
        'The password in --targets is not printed: put it back in place of ***.\n',
    )
    // runCli writes the summary from the document; the target lines are written as they end.
    const json = await runInProcess([...argv, '--json'], new Redactor())
    expect(json.document.fleet).toMatchObject({ resume: expect.stringContaining(`--targets ${masked}`), resumeMasked: ['--targets'] })
    expect(`${human.stdout}${human.stderr}${json.stdout}${json.stderr}${JSON.stringify(json.document)}`).not.toContain('resume-password')
  }, 60_000)

  it('a target file URL whose password holds an unescaped ? or #, or that has an sslpassword, is never printed', async () => {
    const port = await freePort()
    const urls = [
      `postgres://app:hash#password-1@127.0.0.1:${port}/t1`,
      `postgres://app:question?password-2@127.0.0.1:${port}/t2`,
      `postgres://app@127.0.0.1:${port}/t3?sslpassword=key-passphrase-3`,
    ]
    const targets = join(project.path, 'odd-targets.txt')
    await writeFile(targets, `${urls.join('\n')}\n`)
    const argv = ['status', '--fleet', '--targets', `@${targets}`, '--keep-going', '--retries', '0']
    const human = await runFleetMig(argv, { cwd: project.path })
    const json = await runFleetMig([...argv, '--json'], { cwd: project.path })
    expect(human.exitCode).toBe(1)
    expect(human.stdout).toContain(`postgres://app:***@127.0.0.1:${port}/t1 `)
    expect(human.stdout).toContain(`postgres://app:***@127.0.0.1:${port}/t2 `)
    expect(human.stdout).toContain(`postgres://app@127.0.0.1:${port}/t3?sslpassword=*** `)
    for (const secret of ['password-1', 'password-2', 'passphrase-3']) {
      expect(`${human.stdout}${human.stderr}${json.stdout}${json.stderr}`).not.toContain(secret)
    }
  }, 60_000)

  it('a target line written as key/value pairs or without its scheme fails without printing its password', async () => {
    const port = await freePort()
    const lines = [
      `host=127.0.0.1 port=${port} user=app password=kv-password-1 dbname=t1`,
      `app:no-scheme-password-2@127.0.0.1:${port}/t2`,
      `postgres:/app:one-slash-password-3@127.0.0.1:${port}/t3`,
    ]
    const targets = join(project.path, 'unsupported-targets.txt')
    await writeFile(targets, `${lines.join('\n')}\n`)
    const argv = ['status', '--fleet', '--targets', `@${targets}`, '--keep-going', '--retries', '0']
    const human = await runFleetMig(argv, { cwd: project.path })
    const json = await runFleetMig([...argv, '--json'], { cwd: project.path })
    expect(human.exitCode).toBe(1)
    expect(human.stdout).toContain(`failed  host=127.0.0.1 port=${port} user=app password=*** dbname=t1: The database URL`)
    expect(human.stdout).toContain('Resume with: mig status --fleet')
    for (const secret of ['kv-password-1', 'no-scheme-password-2', 'one-slash-password-3']) {
      expect(`${human.stdout}${human.stderr}${json.stdout}${json.stderr}`).not.toContain(secret)
    }
  }, 60_000)
})
