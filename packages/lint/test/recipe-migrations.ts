/** One migration a recipe describes. */
export interface RecipeMigration {
  readonly sql: string
  readonly mode: 'transaction' | 'no-transaction'
}

/** A `<…>` the user fills in; `<>` and `<=` are SQL. */
export const PLACEHOLDER = /<[a-z][^<>\n]*>/i

/**
 * The migrations a printed recipe describes, one list for each way of doing it that it offers,
 * read by the conventions `RuleHit.recipe` documents, line by line:
 *
 * - a comment line starting `-- or` ends one way and starts the next;
 * - a comment line saying `later migration`, `next migration` or `migration of its own` starts a
 *   new migration, which runs in a transaction;
 * - `-- mig:no-transaction` makes the migration under way run outside one (starting a new one if
 *   the current one already holds SQL); `-- mig:up` is the rest of that header and is dropped;
 * - a comment line saying `in the same migration` continues `flagged`, the migration the
 *   finding is about;
 * - any other line, `-- mig:allow` lines and comments included, belongs to the migration under way.
 *
 * A migration with nothing but comments is advice, not SQL, and is left out; so is a way without
 * a migration.
 */
export function recipeMigrations(recipe: string, flagged: RecipeMigration): RecipeMigration[][] {
  const ways: RecipeMigration[][] = []
  let way: RecipeMigration[] = []
  let current = { lines: [] as string[], mode: 'transaction' as RecipeMigration['mode'] }
  const holdsSql = () => current.lines.some((line) => line.trim() !== '' && !line.trim().startsWith('--'))
  const endMigration = () => {
    if (holdsSql()) way.push({ sql: current.lines.join('\n'), mode: current.mode })
    current = { lines: [], mode: 'transaction' }
  }
  const endWay = () => {
    endMigration()
    if (way.length) ways.push(way)
    way = []
  }
  for (const line of recipe.split('\n')) {
    const text = line.trim()
    if (/^-- or\b/i.test(text)) endWay()
    else if (text === '-- mig:no-transaction') {
      if (holdsSql()) endMigration()
      current.mode = 'no-transaction'
    } else if (text === '-- mig:up') continue
    else if (/^--.*\bin the same migration\b/i.test(text)) current = { lines: [flagged.sql], mode: flagged.mode }
    else if (/^--.*\b(later migration|next migration|migration of its own)\b/i.test(text)) endMigration()
    else current.lines.push(line)
  }
  endWay()
  return ways
}

/** The recipe with each `<…>` replaced by what the user would write there. */
export function fillPlaceholders(recipe: string, values: Readonly<Record<string, string>>): string {
  return Object.entries(values).reduce((text, [placeholder, value]) => text.replaceAll(placeholder, value), recipe)
}

/** The lines a migration would run or obey: statements and `-- mig:` lines, not comments meant for the reader. */
export function sqlLinesOf(recipe: string): string[] {
  return recipe.split('\n').filter((line) => !line.trim().startsWith('--') || line.trim().startsWith('-- mig:'))
}
