import { MigError, parseMigrationFile, parseMigrationFilename, type SqlStatement } from '@mig/core'
import { splitPostgresStatements } from '@mig/postgres'
import { splitSqliteStatements } from '@mig/sqlite'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { safetySeed } from './support/seeded-random.js'
import { countFailures, reportFigures } from './support/suite-results.js'

const seed = safetySeed()
console.log(`[safety] fuzz seed ${seed} (replay with MIG_SAFETY_SEED=${seed})`)
const tried: Record<string, number> = {}
const outcome = { failures: 0 }
countFailures(outcome)

/** Runs a property `runs` times with the suite's seed, and counts the inputs tried. */
function check<T>(name: string, runs: number, input: fc.Arbitrary<T>, property: (value: T) => void): void {
  fc.assert(
    fc.property(input, (value) => {
      property(value)
    }),
    { numRuns: runs, seed },
  )
  tried[name] = (tried[name] ?? 0) + runs
}

/** Returns, or throws one of mig's typed errors: never a TypeError, RangeError or the like. */
function typedOutcome<T>(run: () => T): T | MigError {
  try {
    return run()
  } catch (error) {
    if (!(error instanceof MigError)) throw new Error(`untyped error: ${String(error)}`, { cause: error })
    return error
  }
}

// Pieces that drive the parsers' states: quotes, dollar quotes, comments, annotations, blocks.
const SQL_TOKENS = [
  "'",
  "''",
  '"',
  '`',
  '[',
  ']',
  '$$',
  '$a$',
  '$b$',
  '$1',
  'E',
  "E'",
  '\\',
  "\\'",
  '--',
  '/*',
  '*/',
  ';',
  ' ',
  '\n',
  '\r\n',
  '\t',
  '(',
  ')',
  'x',
  '1',
  'SELECT',
  'CREATE',
  'OR',
  'REPLACE',
  'FUNCTION',
  'PROCEDURE',
  'TRIGGER',
  'TEMP',
  'EXPLAIN',
  'BEGIN',
  'ATOMIC',
  'CASE',
  'END',
  '-- mig:up',
  '-- mig:down',
  '-- mig:no-transaction',
  '-- mig:',
  '\uFEFF',
  'é',
  '😀',
  '\u0000',
  // Names that a plain object lookup finds on Object.prototype.
  'constructor',
  '__proto__',
  'toString',
]
const tokenSoup = fc.array(fc.constantFrom(...SQL_TOKENS), { maxLength: 60 }).map((tokens) => tokens.join(''))
const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 200 }), tokenSoup)

/** A statement built from parts that may hide a semicolon: strings, quoted names, comments, dollar quotes. */
function statementOf(dialect: 'sqlite' | 'postgres'): fc.Arbitrary<string> {
  const common = [
    fc.constantFrom('SELECT', 'x', '1', '(1)', ',', '+', 'a_b', 'END', 'BEGIN'),
    fc.string({ unit: 'grapheme-ascii', maxLength: 8 }).map((text) => `'${text.replace(/'/g, "''")}'`),
    fc.string({ unit: 'grapheme-ascii', maxLength: 8 }).map((text) => `"${text.replace(/"/g, '""')}"`),
    fc.string({ unit: 'grapheme-ascii', maxLength: 8 }).map((text) => `/* ${text.replace(/\*\/|\/\*/g, '')} */`),
    fc.string({ unit: 'grapheme-ascii', maxLength: 8 }).map((text) => `-- ${text.replace(/[\r\n]/g, '')}\n`),
  ]
  const dialectParts =
    dialect === 'postgres'
      ? [
          fc.string({ unit: 'grapheme-ascii', maxLength: 8 }).map((text) => `$q$${text.replace(/\$/g, '')}$q$`),
          fc.string({ unit: 'grapheme-ascii', maxLength: 8 }).map((text) => `E'${text.replace(/['\\]/g, '')}\\'\\\\'`),
          fc.constant('/* outer /* nested ; */ still comment ; */'),
        ]
      : [
          fc.string({ unit: 'grapheme-ascii', maxLength: 8 }).map((text) => `[${text.replace(/\]/g, '')}]`),
          fc.string({ unit: 'grapheme-ascii', maxLength: 8 }).map((text) => `\`${text.replace(/`/g, '``')}\``),
        ]
  return (
    fc
      .array(fc.oneof(...common, ...dialectParts), { minLength: 1, maxLength: 8 })
      .map((parts) => `SELECT ${parts.join(' ')}`.replace(/\b(BEGIN|END)\b/g, 'x'))
      // A literal at the start of a line goes on with the literal before it, as the server lexes it
      // (E'a' -- c, newline, 'b' is one string); the splitter's golden files cover that. Here a
      // comma keeps the parts apart.
      .map((statement) => statement.replace(/\n '/g, "\n , '"))
  )
}

/** Statements joined by semicolons, with blanks and comments between them. */
function scriptOf(dialect: 'sqlite' | 'postgres'): fc.Arbitrary<{ script: string; statements: string[] }> {
  const gap = fc.constantFrom('\n', ' ', '\n\n', '\n-- between ; statements\n', ' /* ; */ ', '\r\n', ';\n')
  return fc.array(fc.tuple(statementOf(dialect), gap), { minLength: 1, maxLength: 6 }).map((pairs) => ({
    script: pairs.map(([statement, after]) => `${statement};${after}`).join(''),
    statements: pairs.map(([statement]) => `${statement};`),
  }))
}

/** What every split must satisfy: statements are slices of the input at their offsets, in order, not overlapping. */
function expectWellFormed(sql: string, statements: readonly SqlStatement[], split?: (sql: string) => SqlStatement[]): void {
  let end = 0
  const problems: string[] = []
  for (const [index, statement] of statements.entries()) {
    const { text, offset } = statement
    if (text.length === 0) problems.push(`statement ${index} is empty`)
    if (offset < end) problems.push(`statement ${index} starts at ${offset}, inside the one before (ends at ${end})`)
    if (sql.slice(offset, offset + text.length) !== text) problems.push(`statement ${index} is not the input's text at offset ${offset}`)
    if (text.trimStart() !== text) problems.push(`statement ${index} starts with blanks`)
    end = offset + text.length
    // A statement split again is one statement: the splitter keeps no state across statements.
    const again = split?.(text).map((part) => part.text)
    if (again && (again.length !== 1 || again[0] !== text)) problems.push(`statement ${index} splits again into ${JSON.stringify(again)}`)
  }
  expect(problems, JSON.stringify(sql.slice(0, 300))).toEqual([])
}

describe('fuzzing the migration file parser', () => {
  it('any text: returns sections that come from the file, or throws InvalidMigrationError', () => {
    check('file parser, arbitrary text', 4000, anyText, (text) => {
      const outcome = typedOutcome(() => parseMigrationFile('0001_fuzz.sql', text))
      if (outcome instanceof MigError) {
        expect(outcome.code).toBe('MIG_INVALID_MIGRATION')
        expect(outcome.message).toMatch(/^0001_fuzz\.sql/)
        return
      }
      const normalised = text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n')
      expect(outcome.up.kind).toBe('sql')
      if (outcome.up.kind === 'sql') expect(normalised).toContain(outcome.up.sql)
    })
  })

  it('well-formed files: header, up and down sections come back exactly, with CRLF and BOM undone', () => {
    const sqlLine = fc
      .string({ unit: 'grapheme', maxLength: 30 })
      .map((line) => line.replace(/[\r\n\u2028\u2029\u0085]/g, ' '))
      .filter((line) => !/^\s*--\s*mig:/.test(line))
    const body = fc
      .array(sqlLine, { minLength: 1, maxLength: 6 })
      .map((lines) => [...lines, 'SELECT 1;'])
      .map((lines) => lines.join('\n'))
    const header = fc.array(fc.constantFrom('', '-- a comment', '   ', '-- mig is nice', '--mig:up-ish? no'), { maxLength: 3 })
    const file = fc.record({
      bom: fc.boolean(),
      crlf: fc.boolean(),
      header,
      noTransaction: fc.boolean(),
      up: body,
      down: fc.option(body, { nil: undefined }),
      annotationStyle: fc.constantFrom('-- mig:', '--mig:', '  --  mig:'),
    })
    check('file parser, well-formed files', 3000, file, (input) => {
      const header = input.header.filter((line) => !line.startsWith('--mig:'))
      const lines = [
        ...header,
        ...(input.noTransaction ? [`${input.annotationStyle}no-transaction`] : []),
        `${input.annotationStyle}up`,
        input.up,
        ...(input.down === undefined ? [] : [`${input.annotationStyle}down`, input.down]),
      ]
      const text = `${input.bom ? '\uFEFF' : ''}${lines.join('\n').replace(/\n/g, input.crlf ? '\r\n' : '\n')}`
      const parsed = parseMigrationFile('0002_fuzz.sql', text)
      expect(parsed.transaction).toBe(!input.noTransaction)
      expect(parsed.up).toMatchObject({ kind: 'sql', sql: input.up, line: header.length + (input.noTransaction ? 1 : 0) + 2 })
      if (input.down === undefined) expect(parsed.down).toBeUndefined()
      else expect(parsed.down).toMatchObject({ kind: 'sql', sql: input.down })
    })
  })

  it('an unknown or misplaced annotation is refused with the line it stands on', () => {
    const file = fc.record({
      before: fc.integer({ min: 0, max: 4 }),
      bad: fc.constantFrom('-- mig:upp', '-- mig:', '-- mig:Down', '-- mig:no-transaction', '-- mig:up', '-- mig:transaction'),
    })
    check('file parser, misplaced annotations', 1000, file, ({ before, bad }) => {
      const lines = ['-- mig:up', ...Array.from({ length: before }, (_, index) => `SELECT ${index};`), bad, 'SELECT 9;']
      const failure = typedOutcome(() => parseMigrationFile('0003_fuzz.sql', lines.join('\n')))
      expect(failure).toBeInstanceOf(MigError)
      expect((failure as MigError).message).toContain(`0003_fuzz.sql:${before + 2}:`)
    })
  })

  it('any file name: a version and a name, or InvalidFilenameError', () => {
    const name = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc
        .tuple(
          fc.stringMatching(/^\d{0,22}$/),
          fc.constantFrom('_', '-', ''),
          fc.string({ maxLength: 12 }),
          fc.constantFrom('.sql', '.ts', '.SQL', ''),
        )
        .map((parts) => parts.join('')),
    )
    check('file names', 3000, name, (file) => {
      const outcome = typedOutcome(() => parseMigrationFilename(file))
      if (outcome instanceof MigError) {
        expect(outcome.code).toBe('MIG_INVALID_FILENAME')
        return
      }
      // Versions of any length are exact: a number while safe, a bigint beyond.
      expect(typeof outcome.version === 'bigint' || Number.isSafeInteger(outcome.version)).toBe(true)
      expect(outcome.version > 0).toBe(true)
      expect(file).toContain(outcome.name)
    })
  })
})

describe('fuzzing the statement splitters', () => {
  const splitPostgres = splitPostgresStatements

  for (const [dialect, split] of [
    ['sqlite', splitSqliteStatements],
    ['postgres', (sql: string) => splitPostgres(sql)],
  ] as const) {
    it(`${dialect}: any text splits into slices of the input at increasing offsets, without throwing`, () => {
      check(`${dialect} splitter, arbitrary text`, 4000, anyText, (sql) => {
        expectWellFormed(sql, split(sql), split)
      })
    })

    it(`${dialect}: statements that hide semicolons in strings, names and comments come back one for one`, () => {
      check(`${dialect} splitter, generated scripts`, 2500, scriptOf(dialect), ({ script, statements }) => {
        const split = dialect === 'sqlite' ? splitSqliteStatements(script) : splitPostgres(script)
        expect(split.map((statement) => statement.text)).toEqual(statements)
        expectWellFormed(script, split, dialect === 'sqlite' ? splitSqliteStatements : splitPostgres)
      })
    })
  }

  it('large and pathological inputs split in bounded time (the test timeout is the guard)', () => {
    const inputs = [
      "'".repeat(200_000),
      '$'.repeat(200_000),
      '/*'.repeat(100_000),
      '--'.repeat(100_000),
      '('.repeat(100_000),
      'BEGIN '.repeat(50_000),
      'CREATE FUNCTION f() BEGIN ATOMIC '.repeat(10_000),
      'CREATE TRIGGER t BEGIN '.repeat(10_000),
      'SELECT 1;'.repeat(100_000),
    ]
    for (const input of inputs) {
      expectWellFormed(input, splitSqliteStatements(input))
      expectWellFormed(input, splitPostgres(input))
    }
    tried['splitters, pathological inputs'] = inputs.length * 2
  }, 60_000)
})

afterAll(() => {
  reportFigures('fuzz', {
    seed,
    inputsTried: Object.values(tried).reduce((sum, runs) => sum + runs, 0),
    byProperty: tried,
    failures: outcome.failures,
  })
})
