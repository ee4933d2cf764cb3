import { checksumOf, normaliseText } from './checksum.js'
import { MigError } from './errors.js'
import type { Migration } from './migration.js'
import { compareVersions } from './migration-version.js'

/** The name of the sum file in a migrations folder. */
export const MIGRATION_SUM_FILE = 'mig.sum'

const HEADER =
  '# mig.sum: the checksum of every migration file, written by `mig hash`; mig refuses to run when the folder differs.\n' +
  '# Two branches that both add migrations both change the last lines, so git reports the clash when they are merged.\n'
const LINE = /^(\S+) (sha256:[0-9a-f]{64})$/
const TOTAL = /^total (sha256:[0-9a-f]{64})$/

/**
 * The text of `mig.sum` for these migrations: a comment header, one line `<file> <checksum>`
 * per migration in version order (the checksum mig records in history), and a last line
 * `total <checksum>` of the lines before it, so a hand edit of a line is noticed too.
 */
export function renderMigrationSum(migrations: readonly Migration[]): string {
  const lines = migrationLines(migrations)
  return `${HEADER}${lines}total ${checksumOf(lines)}\n`
}

/** Throws {@link MigrationSumMismatchError} unless `text` is what {@link renderMigrationSum} writes for these migrations. */
export function verifyMigrationSum(written: string, migrations: readonly Migration[]): void {
  // A checkout may turn its line ends into CRLF, as it may a migration's.
  const text = normaliseText(written)
  const problems: string[] = []
  if (/^(<<<<<<<|=======|>>>>>>>)/m.test(text)) {
    throw new MigrationSumMismatchError({
      problems: ['it holds git conflict markers (two branches both added migrations)'],
      conflict: true,
    })
  }
  const listed = new Map<string, string>()
  let total: string | undefined
  const body: string[] = []
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '' || line.startsWith('#')) continue
    const entry = LINE.exec(line)
    const totalLine = TOTAL.exec(line)
    if (totalLine) total = totalLine[1]
    else if (entry && entry[1] !== 'total') {
      listed.set(entry[1] as string, entry[2] as string)
      body.push(`${line}\n`)
    } else problems.push(`line ${index + 1} is neither "<file> sha256:<hex>" nor "total sha256:<hex>"`)
  }
  for (const migration of migrations) {
    const checksum = listed.get(migration.file)
    if (checksum === undefined) problems.push(`${migration.file} is not in it`)
    else if (checksum !== migration.checksum) problems.push(`${migration.file} changed`)
  }
  const files = new Set(migrations.map((migration) => migration.file))
  for (const file of listed.keys()) if (!files.has(file)) problems.push(`${file} is in it but not in the folder`)
  if (total === undefined) problems.push('its total line is missing')
  else if (total !== checksumOf(body.join(''))) problems.push('its total does not match its lines (edited by hand?)')
  if (problems.length) throw new MigrationSumMismatchError({ problems })
}

/**
 * The files, among those not being moved, whose checksum differs from every line `mig.sum`
 * holds for them (both sides of a merge conflict count): edited since it was written. Rewriting
 * `mig.sum` without looking would hide that edit.
 */
export function editedSinceSum(written: string, migrations: readonly Migration[], moving: ReadonlySet<string>): string[] {
  const listed = new Map<string, Set<string>>()
  for (const line of normaliseText(written).split('\n')) {
    const entry = LINE.exec(line)
    if (entry && entry[1] !== 'total') listed.set(entry[1] as string, (listed.get(entry[1] as string) ?? new Set()).add(entry[2] as string))
  }
  return migrations
    .filter((migration) => !moving.has(migration.file) && listed.get(migration.file)?.has(migration.checksum) === false)
    .map((migration) => migration.file)
}

function migrationLines(migrations: readonly Migration[]): string {
  return [...migrations]
    .sort((a, b) => compareVersions(a.version, b.version) || a.file.localeCompare(b.file))
    .map((migration) => `${migration.file} ${migration.checksum}\n`)
    .join('')
}

/** The folder's `mig.sum` does not describe its migration files; nothing was run. */
export class MigrationSumMismatchError extends MigError {
  readonly problems: readonly string[]

  constructor(options: { problems: readonly string[]; conflict?: boolean }) {
    const merge =
      'After merging two branches that both added migrations, give the new ones versions after the newest (`mig renumber`); ' +
      `then, once the folder is as it should be, rewrite ${MIGRATION_SUM_FILE} with \`mig hash\` and commit it.`
    super(
      'MIG_SUM_MISMATCH',
      `${MIGRATION_SUM_FILE} does not match the migrations folder: ${options.problems.join('; ')}. Nothing was run. ` +
        (options.conflict
          ? merge
          : `If you wrote or edited these files yourself, run \`mig hash\` and commit ${MIGRATION_SUM_FILE} with them. ${merge}`),
    )
    this.problems = options.problems
  }

  override toJSON() {
    return { ...super.toJSON(), problems: this.problems }
  }
}
