import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'executors/validate': 'src/executors/validate.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
