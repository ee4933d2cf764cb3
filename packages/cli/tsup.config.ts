import { defineConfig } from 'tsup'

export default defineConfig([
  {
    // The binary: ESM only, one file. Each command's code still runs only when that command does,
    // and the TypeScript loader, @mig/lint and the dialect packages are imported on demand; one
    // file spares a start-up a dozen module loads (docs/decisions/0012).
    entry: { bin: 'src/bin.ts' },
    format: ['esm'],
    target: 'node20',
    splitting: false,
    banner: { js: '#!/usr/bin/env node' },
    // The two builds run at the same time in one folder: this one cleans all but the other's files.
    clean: ['!index.*'],
  },
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    target: 'node20',
    clean: false,
  },
])
