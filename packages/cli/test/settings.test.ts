import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { wantsColour } from '../src/colours.ts'
import { resolveSettings } from '../src/settings.ts'
import { temporaryDirectory } from './run-mig.ts'

let root: { path: string; remove: () => Promise<void> }

beforeEach(async () => {
  root = await temporaryDirectory('settings')
})

afterEach(() => root.remove())

describe('settings', () => {
  it('resolve paths from a config file against its folder, wherever mig runs below it', async () => {
    await writeFile(
      join(root.path, 'mig.config.json'),
      JSON.stringify({ url: 'sqlite:./data/app.db', dir: 'db/migrations', table: 'history' }),
    )
    const nested = join(root.path, 'packages', 'api')
    await mkdir(nested, { recursive: true })
    const settings = await resolveSettings({}, {}, nested)
    expect(settings).toMatchObject({
      url: 'sqlite:./data/app.db',
      urlBaseDirectory: root.path,
      directory: join(root.path, 'db', 'migrations'),
      table: 'history',
    })
  })

  it('take flags over environment variables over the config file', async () => {
    await writeFile(
      join(root.path, 'mig.config.mjs'),
      "export default { url: 'sqlite:config.db', lockTimeout: 5, allowOutOfOrder: false }\n",
    )
    const environment = {
      DATABASE_URL: 'sqlite:database-url.db',
      MIG_DATABASE_URL: 'sqlite:mig-url.db',
      MIG_DIR: 'from-env',
      MIG_LOCK_TIMEOUT: '2',
    }
    expect(await resolveSettings({}, {}, root.path)).toMatchObject({ url: 'sqlite:config.db', lockWaitMs: 5000, allowOutOfOrder: false })
    expect(await resolveSettings({}, { DATABASE_URL: 'sqlite:database-url.db' }, root.path)).toMatchObject({
      url: 'sqlite:database-url.db',
    })
    expect(await resolveSettings({}, environment, root.path)).toMatchObject({
      url: 'sqlite:mig-url.db',
      urlBaseDirectory: root.path,
      directory: join(root.path, 'from-env'),
      lockWaitMs: 2000,
    })
    const flags = { url: 'sqlite:flag.db', dir: 'from-flag', 'lock-timeout': '0.5', 'allow-out-of-order': true }
    expect(await resolveSettings(flags, environment, root.path)).toMatchObject({
      url: 'sqlite:flag.db',
      directory: join(root.path, 'from-flag'),
      lockWaitMs: 500,
      allowOutOfOrder: true,
    })
  })

  it('let a switch in the environment turn off what the config file turns on, and refuse a value that is not one', async () => {
    await writeFile(join(root.path, 'mig.config.json'), JSON.stringify({ allowOutOfOrder: true, singleTransaction: true }))
    expect(await resolveSettings({}, {}, root.path)).toMatchObject({ allowOutOfOrder: true, singleTransaction: true })
    expect(await resolveSettings({}, { MIG_ALLOW_OUT_OF_ORDER: '0', MIG_SINGLE_TRANSACTION: 'false' }, root.path)).toMatchObject({
      allowOutOfOrder: false,
      singleTransaction: false,
    })
    expect(await resolveSettings({ 'allow-out-of-order': true }, { MIG_ALLOW_OUT_OF_ORDER: '0' }, root.path)).toMatchObject({
      allowOutOfOrder: true,
    })
    expect(await resolveSettings({}, { MIG_SINGLE_TRANSACTION: '' }, root.path)).toMatchObject({ singleTransaction: true })
    await expect(resolveSettings({}, { MIG_ALLOW_OUT_OF_ORDER: 'yes' }, root.path)).rejects.toThrow(
      'MIG_ALLOW_OUT_OF_ORDER must be 1 or 0 (or true or false), not "yes".',
    )
  })
  it('load a TypeScript config file and refuse unknown keys and wrong types', async () => {
    await writeFile(join(root.path, 'mig.config.ts'), "const url: string = 'sqlite:typed.db'\nexport default { url, schema: 'app' }\n")
    expect(await resolveSettings({}, {}, root.path)).toMatchObject({ url: 'sqlite:typed.db', schema: 'app' })
    await writeFile(join(root.path, 'other.json'), JSON.stringify({ url: 'sqlite:a.db', lockTimeout: '5' }))
    await expect(resolveSettings({ config: 'other.json' }, {}, root.path)).rejects.toThrow(
      'other.json: "lockTimeout" must be a number, not "5".',
    )
    await expect(resolveSettings({ 'lock-timeout': 'soon' }, {}, root.path)).rejects.toThrow(/lock wait must be a number of seconds/)
  })

  it('colour output only on a terminal without NO_COLOR or --no-color', () => {
    expect(wantsColour({ isTTY: true }, {}, false)).toBe(true)
    expect(wantsColour({ isTTY: false }, {}, false)).toBe(false)
    expect(wantsColour({ isTTY: true }, { NO_COLOR: '1' }, false)).toBe(false)
    expect(wantsColour({ isTTY: true }, {}, true)).toBe(false)
  })
})
