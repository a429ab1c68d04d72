import { cpSync, mkdirSync, readdirSync } from 'node:fs';
import { defineConfig } from 'tsup';

/** The docs also ship as files (dist/docs/): reports name the runbook by its path in this install. */
function copyDocs(): void {
  mkdirSync('dist/docs', { recursive: true });
  for (const f of readdirSync('../../docs')) if (f.endsWith('.md')) cpSync(`../../docs/${f}`, `dist/docs/${f}`);
}

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
    onSuccess: async () => copyDocs(),
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
