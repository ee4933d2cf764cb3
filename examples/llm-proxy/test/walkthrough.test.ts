import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, inject, it } from 'vitest'

const script = fileURLToPath(new URL('../scripts/walkthrough.mjs', import.meta.url))

it('the walkthrough script runs every scenario on both dialects as the README tells it', async () => {
  const { exitCode, output } = await new Promise<{ exitCode: number; output: string }>((resolve) => {
    execFile(
      process.execPath,
      [script],
      { env: { ...process.env, POSTGRES_URL: inject('postgresUrl'), NO_COLOR: '1' } },
      (error, stdout, stderr) => resolve({ exitCode: error ? Number((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
    )
  })
  expect(output).not.toContain('!!')
  expect(exitCode).toBe(0)
  for (const dialect of ['SQLite', 'PostgreSQL']) {
    expect(output).toContain(`== ${dialect}: a fresh database ==`)
    expect(output).toContain(`== ${dialect}: a database built by hand from`)
    expect(output).toContain(`== ${dialect}: a database built from schema/initdatabase-2025-11`)
  }
  expect(output.match(/baselined {2}0001_initial_schema\.sql\n/g)).toHaveLength(2)
  expect(output.match(/Error MIG_SCHEMA_MISMATCH/g)).toHaveLength(2)
  expect(output.match(/database unchanged: yes/g)).toHaveLength(2)
  expect(output).toContain("compareSchemas(sqlite, postgres, { level: 'structure' }):\n  no differences")
  expect(output).toContain('Everything behaved as described.')
})
