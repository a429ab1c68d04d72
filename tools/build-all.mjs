#!/usr/bin/env node
// Build every package (tsup) in dependency order through Nx, so `npx --no-install rebase-daily` and
// the Nx executors (compiled JS) work right after `npm ci`; then link the workspace packages' bins.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, symlinkSync, unlinkSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const r = spawnSync(join(root, 'node_modules', '.bin', 'nx'), ['run-many', '-t', 'build', '--outputStyle=static', '--parallel=2'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
});
if (r.status !== 0) process.exit(r.status ?? 1);

/**
 * npm links a workspace package's bins during `npm ci`, before `prepare` runs this build — and skips
 * a bin whose file does not exist yet (`@rebase-daily/cli`'s `dist/bin.js`). Without the link,
 * `npx rebase-daily` asks the npm registry for a package of that name. Link every workspace bin the
 * way npm would (node_modules/.bin/<name> → ../@rebase-daily/<pkg>/<file>, executable). Idempotent;
 * a .bin entry that is not a symlink (someone else's file) is left alone.
 */
function linkWorkspaceBins() {
  const binDir = join(root, 'node_modules', '.bin');
  mkdirSync(binDir, { recursive: true });
  for (const dir of readdirSync(join(root, 'packages'))) {
    const manifest = join(root, 'packages', dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
    const bins = typeof pkg.bin === 'string' ? { [pkg.name.split('/').pop()]: pkg.bin } : (pkg.bin ?? {});
    for (const [name, file] of Object.entries(bins)) {
      const target = join(root, 'node_modules', pkg.name, file);
      if (!existsSync(target)) {
        console.error(`build-all: ${pkg.name} bin ${name} → ${file} does not exist after the build; not linked`);
        process.exitCode = 1;
        continue;
      }
      chmodSync(target, 0o755);
      const link = join(binDir, name);
      const want = relative(binDir, target);
      let current = null;
      try {
        const st = lstatSync(link);
        if (!st.isSymbolicLink()) continue;
        current = readlinkSync(link);
      } catch {
        // no link yet
      }
      if (current === want) continue;
      if (current !== null) unlinkSync(link);
      symlinkSync(want, link);
    }
  }
}

linkWorkspaceBins();
