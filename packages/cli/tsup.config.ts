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
    // The declarations name Node types (NodeJS.ProcessEnv, Buffer): reference them, so a consumer
    // gets them from this package's @types/node dependency.
    dts: { banner: '/// <reference types="node" />' },
    sourcemap: true,
    clean: true,
    target: 'node20',
    // import.meta.url in the CJS output is shimmed from __filename (otherwise `{}` in CJS: Invalid URL).
    shims: true,
    loader,
    onSuccess: async () => copyDocs(),
  },
  {
    // The Nx plugin (`@rebase-daily/cli/plugin`). Core is bundled in: Nx resolves workspace packages
    // in its plugin workers from source (the tsconfig's custom condition), which plain node cannot load.
    entry: { plugin: 'src/plugin/index.ts' },
    format: ['esm', 'cjs'],
    dts: { banner: '/// <reference types="node" />' },
    sourcemap: true,
    target: 'node20',
    shims: true,
    noExternal: [/^@rebase-daily\//],
  },
  {
    // The installed command is one self-contained file: the workspace packages and their npm
    // dependencies are bundled in, so `npm install -g ./packages/cli` (a link to this folder) or a
    // copy of dist/bin.js runs from any folder, and nothing is fetched from a registry.
    entry: { bin: 'src/bin.ts' },
    format: ['esm'],
    platform: 'node',
    sourcemap: true,
    target: 'node20',
    noExternal: [/.*/],
    // CJS dependencies bundled into ESM call require() for Node builtins: give them one.
    banner: { js: "import { createRequire as __rdCreateRequire } from 'node:module'; const require = __rdCreateRequire(import.meta.url);" },
    shims: true,
    loader,
    esbuildOptions(options) {
      // sql.js's wasm inlined (no sql-wasm.wasm to find beside the bundle).
      options.alias = { ...options.alias, 'sql.js': 'sql.js/dist/sql-wasm-inline.js' };
    },
  },
]);
