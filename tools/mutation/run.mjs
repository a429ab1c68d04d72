#!/usr/bin/env node
// Mutation testing with StrykerJS, one package after another (slow: not part of CI or `npm test`).
//   npm run mutation                       all modules (core, git, report)
//   npm run mutation -- git                one package
//   npm run mutation -- git --mutate packages/git/src/refs/lease-push.ts   one module (any stryker flag passes through)
// Scores land in reports/mutation/<pkg>.json (and the clear-text table on stdout).
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PACKAGES = ['core', 'git', 'report'];
const args = process.argv.slice(2);
const picked = args.filter((a) => PACKAGES.includes(a));
const passThrough = args.filter((a) => !PACKAGES.includes(a));
let status = 0;
for (const pkg of picked.length ? picked : PACKAGES) {
  console.log(`\n== mutation testing: ${pkg}`);
  const r = spawnSync(join(root, 'node_modules', '.bin', 'stryker'), ['run', `tools/mutation/${pkg}.config.mjs`, ...passThrough], { cwd: root, stdio: 'inherit' });
  if (r.error) console.error(`error: cannot start stryker (${r.error.message}); run \`npm ci\` first: @stryker-mutator/core is a devDependency`);
  if (r.status !== 0) status = r.status ?? 1;
}
process.exit(status);
