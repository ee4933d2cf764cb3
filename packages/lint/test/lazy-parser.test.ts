import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const built = fileURLToPath(new URL('../dist/index.js', import.meta.url))

/** Imports the built package in a fresh process and counts WebAssembly instantiations (the parser is the only WebAssembly). */
function wasmLoadsWhen(script: string): number {
  if (!existsSync(built)) throw new Error(`${built} is missing: build @mig/lint first (pnpm turbo run build --filter=@mig/lint).`)
  const program = `
    let loads = 0
    for (const name of ['instantiate', 'instantiateStreaming']) {
      const original = WebAssembly[name]
      WebAssembly[name] = (...args) => { loads++; return original(...args) }
    }
    const lint = await import(${JSON.stringify(built)})
    const migrations = [{ version: 1, file: '0001_a.sql', text: '-- mig:up\\nCREATE TABLE a (id bigint);\\n' }]
    ${script}
    console.log(loads)`
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', program], { encoding: 'utf8' })
  if (run.status !== 0) throw new Error(run.stderr)
  return Number(run.stdout.trim())
}

describe('the PostgreSQL parser', () => {
  it('is not loaded by importing @mig/lint, nor by a lint with nothing pending', () => {
    expect(wasmLoadsWhen("await lint.lintMigrations({ dialect: 'postgres', migrations, scope: { kind: 'plan', pending: [] } })")).toBe(0)
  })

  it('is loaded once something is linted', () => {
    expect(wasmLoadsWhen("await lint.lintMigrations({ dialect: 'postgres', migrations, scope: { kind: 'each' } })")).toBe(1)
  })
})
