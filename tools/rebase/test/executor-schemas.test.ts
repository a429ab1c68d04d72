import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nxStageOptionsJsonSchema, STAGES } from '@rebase-daily/core';

// Every stage package's executor options schema is generated from core's NxStageOptionsSchema
// (one source of truth; runNxStage parses options with it). Regenerate all of them with
//   npm run schemas   (tools/write-schemas.mjs; this test only compares)
const packages = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'packages');
const generated = `${JSON.stringify(nxStageOptionsJsonSchema(), null, 2)}\n`;
const executors = readdirSync(packages).flatMap((pkg) => {
  const file = join(packages, pkg, 'executors.json');
  if (!existsSync(file)) return [];
  const json = JSON.parse(readFileSync(file, 'utf8')) as { executors: Record<string, { implementation: string; schema: string }> };
  return Object.entries(json.executors).map(([name, e]) => ({ pkg, name, ...e }));
});

describe('stage executors', () => {
  it('exist for every stage', () => {
    expect(executors.map((e) => e.name).sort()).toEqual([...STAGES].sort());
  });

  it.each(executors)('$pkg:$name has a schema generated from core and a built CJS implementation', ({ pkg, name, implementation, schema }) => {
    const schemaFile = join(packages, pkg, schema);
    expect(readFileSync(schemaFile, 'utf8'), `${pkg}/${schema} is stale; run \`npm run schemas\``).toBe(generated);
    expect(implementation).toBe(`./dist/executors/${name}.cjs`);
    expect(existsSync(join(packages, pkg, 'src', 'executors', `${name}.ts`))).toBe(true);
    // Nx resolves a workspace package's schema path by first dropping its leading folder
    // (nx/src/config/schema-utils.js, tryResolveFromSource): that shorter path must not exist.
    const stripped = schema.replace(/^\.\//, '').split('/').slice(1).join('/');
    expect(existsSync(join(packages, pkg, stripped)), `${pkg}/${stripped} would shadow ${schema} in Nx`).toBe(false);
  });
});
