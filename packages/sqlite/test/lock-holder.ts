import { type ChildProcess, spawn } from 'node:child_process'

const holdLockChild = new URL('./fixtures/hold-lock-child.mjs', import.meta.url).pathname

/** Another process holding the migration lock of `filename`, once it says it holds it. Runs the built package. */
export async function startLockHolder(filename: string): Promise<ChildProcess> {
  const holder = spawn(process.execPath, [holdLockChild, filename], { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise<void>((resolve, reject) => {
    holder.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('held') && resolve())
    holder.once('exit', (code) => reject(new Error(`the holder exited with ${code}`)))
  })
  return holder
}
