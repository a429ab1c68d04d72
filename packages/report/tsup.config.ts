import { defineConfig } from 'tsup';

export default defineConfig({
  // The executor is its own entry: Nx require()s dist/executors/report.cjs.
  entry: { index: 'src/index.ts', 'executors/report': 'src/executors/report.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // import.meta.url in the CJS output is shimmed from __filename (otherwise `{}` in CJS: Invalid URL).
  shims: true,
});
