import { defineConfig } from 'tsup'

export default defineConfig([
  {
    // The binary: ESM only, split so that each command and the TypeScript loader load on demand.
    entry: { bin: 'src/bin.ts' },
    format: ['esm'],
    target: 'node20',
    splitting: true,
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
