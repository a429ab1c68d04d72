#!/usr/bin/env node
// The npm registry reachable from this workplace serves only the linux-x64 builds of gt
// (@withgraphite/graphite-cli) and just (rust-just). npm then leaves the other platforms'
// optional packages out of package-lock.json, and `npm ci` refuses the lock ("Missing: … from lock
// file"). This adds them back as platform-restricted optional entries, which `npm ci` skips on a
// platform that does not match — exactly what a lock made with the full registry would contain.
// Run after any `npm install` that rewrites the lock: node tools/fix-lockfile-optionals.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const lockPath = join(root, 'package-lock.json');
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const OS = { darwin: 'darwin', linux: 'linux', win32: 'win32', windows: 'win32', freebsd: 'freebsd', android: 'android' };
const CPU = { x64: 'x64', arm64: 'arm64', arm: 'arm', armv7: 'arm', ia32: 'ia32', loong64: 'loong64', riscv64: 'riscv64', ppc64: 'ppc64', s390x: 's390x' };
const platform = (name) => {
  const m = /-([a-z0-9]+)-([a-z0-9]+)$/.exec(name);
  return m && OS[m[1]] && CPU[m[2]] ? { os: [OS[m[1]]], cpu: [CPU[m[2]]] } : null;
};
let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${dep}`;
    const p = platform(dep);
    if (lock.packages[key] || !p) continue;
    lock.packages[key] = { version, ...p, dev: entry.dev || undefined, optional: true };
    added++;
    void path;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
process.stdout.write(`fix-lockfile-optionals: added ${added} platform-restricted optional entries\n`);
