import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'executors/verify': 'src/executors/verify.ts', 'executors/apply': 'src/executors/apply.ts', 'executors/publish': 'src/executors/publish.ts' },
  format: ['esm', 'cjs'],
  // The declarations name Node types (NodeJS.ProcessEnv, Buffer): reference them, so a consumer
    // gets them from this package's @types/node dependency.
    dts: { banner: '/// <reference types="node" />' },
  sourcemap: true,
  clean: true,
  target: 'node20',
  // import.meta.url in the CJS output is shimmed from __filename (otherwise `{}` in CJS: Invalid URL).
  shims: true,
});
