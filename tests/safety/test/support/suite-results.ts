import { mkdirSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeEach } from 'vitest'

const OUTPUT = fileURLToPath(new URL('../../../../.test-output/safety/', import.meta.url))

/** Prints a suite's figures and keeps them in .test-output/safety/<name>.json for docs/reliability.md. */
export function reportFigures(name: string, figures: Record<string, unknown>): void {
  mkdirSync(OUTPUT, { recursive: true })
  writeFileSync(join(OUTPUT, `${name}.json`), `${JSON.stringify({ ...figures, finishedAt: new Date().toISOString() }, null, 2)}\n`)
  console.log(`[safety] ${name}: ${JSON.stringify(figures)}`)
}

/** A temporary folder for one test file; remove it with the returned function. */
export async function temporaryFolder(prefix: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `mig-safety-${prefix}-`))
  return { path, remove: () => rm(path, { recursive: true, force: true }) }
}

/** Counts the calling file's failed tests into `figures.failures`, so the figures never claim a clean run that was not. */
export function countFailures(figures: { failures: number }): void {
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => {
      figures.failures++
    })
  })
}
