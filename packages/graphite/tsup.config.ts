import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: ['src/index.ts', 'src/testing.ts'],
    format: ['esm', 'cjs'],
    // The declarations name Node types (NodeJS.ProcessEnv, Buffer): reference them, so a consumer
    // gets them from this package's @types/node dependency.
    dts: { banner: '/// <reference types="node" />' },
    sourcemap: true,
    clean: true,
    target: 'node20',
    // import.meta.url in CJS output (gt lookup starts from this package's own folder).
    shims: true,
  },
  {
    entry: { 'executors/align': 'src/executors/align.ts' },
    format: ['cjs'],
    outExtension: () => ({ js: '.cjs' }),
    sourcemap: true,
    clean: false,
    target: 'node20',
    shims: true,
  },
]);
