import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git, makeTempDir } from '@rebase-daily/core/testing';
import { cli, day, spawnCli, type Day } from './helpers.js';

// `kill -9` of the tool while its cargo runs, in a fork that commits no Cargo.lock (issue 21): the
// Cargo.lock cargo wrote is the run's (on record before cargo ran), so the next run removes it as a
// leftover instead of refusing with "commit or stash". Real cargo on a one-file crate, offline.
let d: Day | undefined;
afterEach(() => d?.fixture.cleanup());

const crate = { 'Cargo.toml': '[package]\nname = "fx"\nversion = "0.1.0"\nedition = "2021"\n', 'src/lib.rs': 'pub fn one() -> u32 { 1 }\n', 'README.md': 'upstream project\n' };

describe('kill -9 during cargo in a fork without a committed Cargo.lock', () => {
  it('the rerun removes the Cargo.lock the killed run\'s cargo wrote (listed as a leftover) and finishes: exit 0, clean tree', async () => {
    d = day({ base: crate, upstreamCommits: [{ files: { 'UP.md': 'x\n' }, message: 'upstream: x' }] });
    const here = makeTempDir('rebase-daily-cargo-kill-');
    const slow = join(here, 'slow');
    const started = join(here, 'started');
    const config = JSON.parse(readFileSync(d.configPath, 'utf8'));
    config.validate = { format: false, test: ['sh', '-c', `cargo generate-lockfile --offline && if [ -e ${slow} ]; then touch ${started}; sleep 30; fi`] };
    writeFileSync(d.configPath, JSON.stringify(config));
    writeFileSync(slow, '');
    const lockfile = join(d.fixture.clone, 'Cargo.lock');
    const run = spawnCli(['daily', '--config', d.configPath]);
    const end = Date.now() + 60_000;
    while (!existsSync(started) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(started)).toBe(true);
    expect(existsSync(lockfile)).toBe(true);
    run.child.kill('SIGKILL');
    await run.done;
    rmSync(slow);
    const rerun = await cli(['daily', '--config', d.configPath, '--json']);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.json.errors).toEqual([]);
    expect(JSON.parse(readFileSync(rerun.json.data.reportPath, 'utf8')).leftovers.join('\n')).toContain(`removed temporary file ${lockfile}`);
    expect(git(d.fixture.clone, 'status', '--porcelain')).toBe('');
    expect(existsSync(lockfile)).toBe(false);
  });
});

describe('a toolchain the fork pins, absent on this host', () => {
  it('the version bump names the pin file and `rustup toolchain install X`, not the manifest; nothing moves', async () => {
    const pinned = { ...crate, 'rust-toolchain.toml': '[toolchain]\nchannel = "1.42.1"\n' };
    d = day({ base: pinned, upstreamCommits: [{ files: { 'UP.md': 'x\n' }, message: 'upstream: x' }] }, { version: { source: 'manifest', manifest: 'Cargo.toml', suffix: '-fork.1' } });
    const tips = git(d.fixture.clone, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/');
    const origin = git(d.fixture.originBare, 'for-each-ref', '--format=%(refname) %(objectname)');
    // rustup must not try to download it (no network here, and a test must not install toolchains).
    const r = await cli(['daily', '--config', d.configPath, '--json'], { RUSTUP_AUTO_INSTALL: '0' });
    expect(r.code, r.stderr).toBe(1);
    expect(r.json.errors[0].code).toBe('E_VERSION_BUMP');
    const message = r.json.errors.map((e: { message: string }) => e.message).join('\n');
    expect(message).toContain(`toolchain '1.42.1', pinned by `);
    expect(message).toMatch(/rust-toolchain\.toml, is not installed on this host; install it with `rustup toolchain install 1\.42\.1`, then rerun/);
    expect(message).not.toMatch(/fix the workspace manifest/);
    expect(git(d.fixture.clone, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/')).toBe(tips);
    expect(git(d.fixture.originBare, 'for-each-ref', '--format=%(refname) %(objectname)')).toBe(origin);
  });
});
