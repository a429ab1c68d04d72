#!/usr/bin/env node
// Regenerate every checked-in JSON Schema from its zod source (the tests only compare, never write):
//   packages/core/config.schema.json        ← core configJsonSchema()
//   packages/report/report.schema.json      ← report reportJsonSchema()
//   packages/cli/envelope.schema.json       ← cli envelopeJsonSchema()
//   packages/cli/plugin.schema.json         ← cli/plugin forkPluginOptionsJsonSchema() (nx.json plugin options)
//   packages/*/<executor schema>.json       ← core nxStageOptionsJsonSchema() (every executors.json entry)
// Builds the packages first (the schemas come from dist); `--no-build` skips that.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
if (!process.argv.includes('--no-build')) {
  const r = spawnSync(process.execPath, [join(root, 'tools', 'build-all.mjs')], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const { configJsonSchema, nxStageOptionsJsonSchema } = await import('@rebase-daily/core');
const { reportJsonSchema } = await import('@rebase-daily/report');
const { envelopeJsonSchema } = await import('@rebase-daily/cli');
const { forkPluginOptionsJsonSchema } = await import('@rebase-daily/cli/plugin');

const json = (schema) => `${JSON.stringify(schema, null, 2)}\n`;
const targets = [
  [join(root, 'packages', 'core', 'config.schema.json'), json(configJsonSchema())],
  [join(root, 'packages', 'report', 'report.schema.json'), json(reportJsonSchema())],
  [join(root, 'packages', 'cli', 'envelope.schema.json'), json(envelopeJsonSchema())],
  [join(root, 'packages', 'cli', 'plugin.schema.json'), json(forkPluginOptionsJsonSchema())],
];
for (const pkg of readdirSync(join(root, 'packages'))) {
  const file = join(root, 'packages', pkg, 'executors.json');
  if (!existsSync(file)) continue;
  for (const e of Object.values(JSON.parse(readFileSync(file, 'utf8')).executors)) targets.push([join(root, 'packages', pkg, e.schema), json(nxStageOptionsJsonSchema())]);
}
for (const [file, text] of targets) {
  const before = existsSync(file) ? readFileSync(file, 'utf8') : null;
  if (before === text) continue;
  writeFileSync(file, text);
  console.log(`wrote ${relative(root, file)}`);
}
console.log(`${targets.length} schema file(s) checked`);
