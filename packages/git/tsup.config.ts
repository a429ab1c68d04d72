import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'executors/verify': 'src/executors/verify.ts', 'executors/apply': 'src/executors/apply.ts', 'executors/publish': 'src/executors/publish.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
