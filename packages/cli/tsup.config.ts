import { defineConfig } from 'tsup';

// The prompt template and the docs are bundled as text, so the published CLI carries them.
const loader = { '.md': 'text' } as const;

export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    // The declarations name Node types (NodeJS.ProcessEnv, Buffer): reference them, so a consumer
    // gets them from this package's @types/node dependency.
    dts: { banner: '/// <reference types="node" />' },
    sourcemap: true,
    clean: true,
    target: 'node20',
    // import.meta.url in the CJS output is shimmed from __filename (otherwise `{}` in CJS: Invalid URL).
    shims: true,
    loader,
  },
  {
    entry: { bin: 'src/bin.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    banner: {},
    loader,
  },
]);
