import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

export interface GoldenFilesOptions {
  /** The suite's title. */
  readonly title: string
  /** A folder of `<case>.sql` inputs (or another `extension`), each beside its `<case>.golden.json`. */
  readonly folder: string
  /** The inputs' extension, with its dot. Default `.sql`. */
  readonly extension?: string
  /** What the input becomes; compared with the golden file as JSON. */
  run(input: string, file: string): unknown
  /** How many cases there must be at least, so an emptied folder cannot pass. Default 3. */
  readonly minimumCases?: number
}

/**
 * The one golden-file harness: each input in a folder, run and compared with the JSON
 * beside it. Set `MIG_UPDATE_GOLDEN=1` to rewrite the golden files after a deliberate change,
 * then review the diff.
 */
export function runGoldenFiles(options: GoldenFilesOptions): void {
  const extension = options.extension ?? '.sql'
  const cases = readdirSync(options.folder)
    .filter((file) => file.endsWith(extension))
    .sort()
  describe(options.title, () => {
    it.each(cases)('%s matches its golden file', (file) => {
      const input = readFileSync(join(options.folder, file), 'utf8')
      const actual = JSON.parse(JSON.stringify(options.run(input, file)))
      const golden = join(options.folder, `${file.slice(0, -extension.length)}.golden.json`)
      if (process.env.MIG_UPDATE_GOLDEN === '1') writeFileSync(golden, `${JSON.stringify(actual, null, 2)}\n`)
      expect(actual).toEqual(JSON.parse(readFileSync(golden, 'utf8')))
    })

    it(`has at least ${options.minimumCases ?? 3} cases`, () => {
      expect(cases.length).toBeGreaterThanOrEqual(options.minimumCases ?? 3)
    })
  })
}
