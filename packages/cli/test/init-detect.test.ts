import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { commitFiles, createForkFixture, git, makeTempDir, type ForkFixture } from '@rebase-daily/core/testing';
import { cli } from './helpers.js';

// init on real forks (git repos in temp dirs with bare remotes): which validate section it writes
// for a Cargo workspace, a single crate, either with a justfile's `test` recipe, and none.
let f: ForkFixture | undefined;
afterEach(() => f?.cleanup());
beforeAll(() => {
  process.env.HOME = makeTempDir('rebase-daily-home-');
});

function fork(files: Record<string, string>, upstreamCommits: { files: Record<string, string>; message: string }[] = []): ForkFixture {
  const fx = createForkFixture({ trunk: 'fork/integration', upstreamCommits });
  if (Object.keys(files).length) commitFiles(fx.clone, files, 'fork: project files');
  return fx;
}

const CRATE = '[package]\nname = "demo"\nversion = "0.1.0"\nedition = "2021"\n';
const WORKSPACE = '[workspace]\nresolver = "2"\nmembers = ["a"]\n';

describe('init detects validation', () => {
  it.each([
    ['a single crate at the root', { 'Cargo.toml': CRATE, 'src/lib.rs': '' }, { cwd: '.' }, 'crate'],
    ['a single crate one folder down', { 'rs/Cargo.toml': CRATE, 'rs/src/lib.rs': '' }, { cwd: 'rs' }, 'crate'],
    ['a workspace one folder down beats a crate at the root', { 'Cargo.toml': CRATE, 'ws/Cargo.toml': WORKSPACE }, { cwd: 'ws' }, 'workspace'],
    ['a crate with a justfile test recipe', { 'Cargo.toml': CRATE, justfile: 'fmt:\n    cargo fmt\n\ntest *args:\n    cargo test {{args}}\n' }, { cwd: '.', test: ['just', 'test'] }, 'crate'],
    ['a workspace with a root justfile test recipe', { 'ws/Cargo.toml': WORKSPACE, Justfile: 'test:\n    cargo test --workspace\n' }, { cwd: 'ws', test: ['just', 'test'] }, 'workspace'],
    ['a justfile without a test recipe keeps cargo test', { 'Cargo.toml': CRATE, justfile: 'fmt:\n    cargo fmt\n' }, { cwd: '.' }, 'crate'],
  ] as const)('%s', async (_name, files, validate, kind) => {
    f = fork(files);
    const r = await cli(['init', '--repo', f.clone, '--trunk', 'fork/integration', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.data.config.validate).toEqual(validate);
    expect(r.json.data.detected.cargoKind).toBe(kind);
    expect(r.json.data.warnings.join('\n')).not.toMatch(/validate is not configured/);
  });

  it('no Cargo.toml: no validate section, and a warning that says what a day will then say', async () => {
    f = fork({ 'README.md': 'not rust\n' });
    const r = await cli(['init', '--repo', f.clone, '--trunk', 'fork/integration', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.data.config.validate).toBeUndefined();
    expect(r.json.data.warnings.join('\n')).toMatch(/validate is not configured.*"rebased, not validated: no validate section"/);
  });

  it('a day published with no validate section says so on its first line (exit 0)', async () => {
    f = fork({ 'README.md': 'not rust\n' }, [{ files: { 'UP.md': 'new\n' }, message: 'upstream: new' }]);
    // The fork's own commit is on its remote too: a local commit the fork remote lacks is refused (E_TRUNK_AHEAD).
    git(f.clone, 'push', '-q', 'origin', 'fork/integration');
    const init = await cli(['init', '--repo', f.clone, '--trunk', 'fork/integration', '--json']);
    expect(init.code, init.stderr).toBe(0);
    const r = await cli(['daily', '--config', join(f.clone, 'rebase-daily.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/: ✅ success — rebased, not validated: no validate section \(exit 0\)$/);
  });
});
