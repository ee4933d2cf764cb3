import { describe, expect, it } from 'vitest'
import { integerFlag, parseCommandLine } from '../src/command-line.ts'
import { closestMatch } from '../src/did-you-mean.ts'
import { errorCodeOf, exitCodeFor, interruptedExitCode } from '../src/exit-codes.ts'

describe('the command line', () => {
  it('accepts global options before or after the command', () => {
    const before = parseCommandLine(['--url', 'sqlite:a.db', 'up', '--step', '2'])
    expect(before.command?.name).toBe('up')
    expect(before.flags).toMatchObject({ url: 'sqlite:a.db', step: '2' })
    const after = parseCommandLine(['repair', '7', '--applied', '--json'])
    expect(after.command?.name).toBe('repair')
    expect(after.positionals).toEqual(['7'])
    expect(after.flags).toMatchObject({ applied: true, json: true })
  })

  it("refuses another command's option, an unknown command and a missing value, naming the fix", () => {
    expect(() => parseCommandLine(['status', '--all'])).toThrow('mig status has no option --all. Run mig help status for its options.')
    expect(() => parseCommandLine(['migrate'])).toThrow(/Unknown command "migrate"/)
    expect(() => parseCommandLine(['up', '--to'])).toThrow('--to needs a value')
    expect(() => parseCommandLine(['down', '--step', '-1'])).toThrow(
      '--step was given a value starting with "-"; write it as --step=<value>.',
    )
    expect(() => parseCommandLine(['status', '--json=yes'])).toThrow('--json takes no value')
    expect(() => parseCommandLine(['up', 'extra'])).toThrow(/Unexpected argument "extra"/)
  })

  it('refuses a fleet option without --fleet, which would otherwise run on one database only', () => {
    expect(() => parseCommandLine(['up', '--concurrency', '8'])).toThrow(
      '--concurrency works only with --fleet: add --fleet to run on every target, or leave --concurrency out.',
    )
    expect(() => parseCommandLine(['status', '--shard', '1/2'])).toThrow(/--shard works only with --fleet/)
    expect(parseCommandLine(['up', '--fleet', '--concurrency', '8']).flags).toMatchObject({ fleet: true, concurrency: '8' })
  })

  it('says why lint takes no --fleet and what to run instead', () => {
    expect(() => parseCommandLine(['lint', '--fleet'])).toThrow(
      /^mig lint takes no --fleet: it reads only the migration files, which are the same for every target, so lint them once: mig lint --all .* mig up --fleet lints what each target is about to apply, as mig up does\.$/,
    )
    expect(() => parseCommandLine(['redo', '--fleet'])).toThrow(
      'mig redo takes no --fleet: only up, down, status and validate run on every target of a fleet (docs/fleet.md).',
    )
  })

  it('suggests the closest word within a few edits, and nothing for a distant one', () => {
    const commands = ['status', 'up', 'down', 'db', 'create', 'completion']
    expect(closestMatch('stauts', commands)).toBe('status')
    expect(closestMatch('STATUS', commands)).toBe('status')
    expect(closestMatch('crate', commands)).toBe('create')
    expect(closestMatch('completon', commands)).toBe('completion')
    expect(closestMatch('migrate', commands)).toBeUndefined()
    expect(closestMatch('all', ['url', 'dir'])).toBeUndefined()
    expect(closestMatch('dryrun', ['dry-run', 'to'])).toBe('dry-run')
  })

  it('reads whole numbers and refuses anything else', () => {
    expect(integerFlag({ step: '3' }, 'step', { minimum: 1 })).toBe(3)
    expect(integerFlag({}, 'step', { minimum: 1 })).toBeUndefined()
    expect(() => integerFlag({ step: '0' }, 'step', { minimum: 1 })).toThrow('--step needs a whole number of at least 1, not "0".')
    expect(() => integerFlag({ to: '1.5' }, 'to', { minimum: 0 })).toThrow(/whole number/)
  })
})

describe('exit codes', () => {
  it('maps each error code to its documented exit code', () => {
    const exitOf = (code: string) => exitCodeFor(Object.assign(new Error('x'), { code }))
    expect(exitOf('MIG_MIGRATION_FAILED')).toBe(1)
    expect(exitOf('MIG_INVALID_OPTIONS')).toBe(2)
    expect(exitOf('MIG_CHECKSUM_MISMATCH')).toBe(3)
    expect(exitOf('MIG_PARTIAL_MIGRATION')).toBe(3)
    expect(exitOf('MIG_LOCK_TIMEOUT')).toBe(4)
    expect(exitOf('MIG_DATABASE_ERROR')).toBe(6)
    expect(exitOf('MIG_ABORTED')).toBe(130)
    expect(exitCodeFor(new TypeError('bug'))).toBe(1)
    expect(errorCodeOf(new TypeError('bug'))).toBe('MIG_UNEXPECTED')
  })

  it('a run stopped by a signal exits 128 + its number, one run or a fleet', () => {
    const stoppedBy = (signal: NodeJS.Signals) => {
      const stop = new AbortController()
      stop.abort({ signal })
      return stop.signal
    }
    const aborted = Object.assign(new Error('x'), { code: 'MIG_ABORTED' })
    expect(exitCodeFor(aborted, stoppedBy('SIGINT'))).toBe(130)
    expect(exitCodeFor(aborted, stoppedBy('SIGTERM'))).toBe(143)
    expect(exitCodeFor(aborted, stoppedBy('SIGHUP'))).toBe(129)
    expect(exitCodeFor(Object.assign(new Error('x'), { code: 'MIG_MIGRATION_FAILED' }), stoppedBy('SIGTERM'))).toBe(1)
    expect(interruptedExitCode(stoppedBy('SIGTERM'))).toBe(143)
    expect(interruptedExitCode(new AbortController().signal)).toBe(130)
  })
})
