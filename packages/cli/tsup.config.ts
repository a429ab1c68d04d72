import { defineConfig } from 'tsup';

// The prompt template and the docs are bundled as text, so the published CLI carries them.
const loader = { '.md': 'text' } as const;

export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
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
