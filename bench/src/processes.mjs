import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** GNU time reports a child's peak resident set size; without it the memory column says n/a. */
const GNU_TIME = ['/usr/bin/time', '/bin/time'].find((candidate) => existsSync(candidate))
const CHILD = fileURLToPath(new URL('./child.mjs', import.meta.url))
let sequence = 0

/**
 * Runs a command as a whole process with its output discarded, and returns its wall time in
 * milliseconds and its peak RSS in kilobytes. A non-zero exit throws with what it printed on stderr.
 */
export async function timeProcess([file, args, extraEnvironment = {}], { cwd }) {
  const rssFile = join(tmpdir(), `mig-bench-rss-${process.pid}-${sequence++}`)
  const [command, commandArgs] = GNU_TIME ? [GNU_TIME, ['-f', '%M', '-o', rssFile, file, ...args]] : [file, args]
  const started = performance.now()
  const { code, stderr } = await run(command, commandArgs, { cwd, env: { ...process.env, ...extraEnvironment }, stdout: 'ignore' })
  const ms = performance.now() - started
  let maxRssKb
  if (GNU_TIME) {
    const text = await readFile(rssFile, 'utf8').catch(() => '')
    await rm(rssFile, { force: true })
    maxRssKb = Number(text.trim().split('\n').pop()) || undefined
  }
  if (code !== 0) throw new Error(`${[file, ...args].join(' ')} exited with ${code}:\n${stderr}`)
  return { ms, maxRssKb }
}

/** Runs one API operation in a fresh process (see child.mjs) and returns what it measured. */
export async function timeApi(id, operation, target, directory, { cwd }) {
  const { code, stdout, stderr } = await run(process.execPath, [CHILD, id, operation, JSON.stringify(target), directory], {
    cwd,
    env: process.env,
    stdout: 'pipe',
  })
  if (code !== 0) throw new Error(`${id} ${operation} exited with ${code}:\n${stderr}`)
  return JSON.parse(stdout.trim().split('\n').pop())
}

/** Runs one of scripts/ in a fresh process and returns the JSON it prints last. */
export async function runScript(name, args, { cwd }) {
  const script = fileURLToPath(new URL(`./scripts/${name}`, import.meta.url))
  const { code, stdout, stderr } = await run(process.execPath, [script, ...args], { cwd, env: process.env, stdout: 'pipe' })
  if (code !== 0) throw new Error(`${name} exited with ${code}:\n${stderr}`)
  return JSON.parse(stdout.trim().split('\n').pop())
}

function run(command, args, { cwd, env, stdout }) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', stdout, 'pipe'] })
    let out = ''
    let err = ''
    child.stdout?.setEncoding('utf8').on('data', (chunk) => {
      out += chunk
    })
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      err = (err + chunk).slice(-20_000)
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout: out, stderr: err }))
  })
}
