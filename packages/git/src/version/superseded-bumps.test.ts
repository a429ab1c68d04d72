import { afterEach, describe, expect, it } from 'vitest';
import { boundRunner, CommandLog, VersionConfigSchema } from '@rebase-daily/core';
import { commitFiles, createForkFixture, git, type ForkFixture } from '@rebase-daily/core/testing';
import { cargoWorkspaceFiles } from '../testing/cargo-workspace.js';
import '../testing/stage-context.js';
import { bumpSubjectPatterns, findSupersededBumps, parseBumpLog, versionOnlyChange } from './superseded-bumps.js';

const manifest = (version: string, extra = '') => `[workspace]\nmembers = ["crates/*"]\n\n[workspace.package]\nversion = "${version}" # kept\nedition = "2021"\n${extra}`;
const member = (version: string, extra = '') => `[package]\nname = "c"\nversion = "${version}"\n${extra}`;
const lock = (a: string, dep: string, serde = '1.0.0') => `version = 4

[[package]]
name = "a"
version = "${a}"
dependencies = [
 "${dep}",
 "serde",
]

[[package]]
name = "b"
version = "${a}"

[[package]]
name = "serde"
version = "${serde}"
source = "registry+https://github.com/rust-lang/crates.io-index"
`;

describe('parseBumpLog', () => {
  it.each([
    ['', []],
    [`\x1e${'a'.repeat(40)}\0chore: bump\0 1.2.0-fork.1\n\n`, [{ sha: 'a'.repeat(40), subject: 'chore: bump', trailer: '1.2.0-fork.1' }]],
    [
      `\x1e${'b'.repeat(40)}\0fork: a patch\0\n\x1e${'c'.repeat(40)}\0subject with \x1f odd bytes\0\n`,
      [
        { sha: 'b'.repeat(40), subject: 'fork: a patch', trailer: null },
        { sha: 'c'.repeat(40), subject: 'subject with \x1f odd bytes', trailer: null },
      ],
    ],
  ])('%j', (stdout, want) => expect(parseBumpLog(stdout)).toEqual(want));
});

describe('versionOnlyChange', () => {
  it.each([
    ['workspace version', 'Cargo.toml', manifest('1.0.0'), manifest('1.1.0-fork.1'), null],
    ['member package version', 'crates/c/Cargo.toml', member('0.3.0'), member('0.4.0'), null],
    ['lock entries and references of local packages', 'Cargo.lock', lock('1.0.0', 'b 1.0.0'), lock('1.1.0', 'b 1.1.0'), null],
    ['a dependency added to the manifest', 'Cargo.toml', manifest('1.0.0'), manifest('1.1.0', '\n[workspace.dependencies]\nserde = "1"\n'), 'changes more than version fields in Cargo.toml'],
    ['a member edition change', 'crates/c/Cargo.toml', member('0.3.0'), member('0.3.0', 'edition = "2021"\n'), 'changes more than version fields in crates/c/Cargo.toml'],
    ['a registry package version in the lock', 'Cargo.lock', lock('1.0.0', 'b'), lock('1.0.0', 'b', '1.0.1'), 'changes more than version fields in Cargo.lock'],
    ['another file', 'src/lib.rs', 'a', 'b', 'changes src/lib.rs, which is neither a Cargo.toml nor a Cargo.lock'],
    ['broken TOML', 'Cargo.toml', manifest('1.0.0'), '[workspace\n', /^leaves Cargo.toml not valid TOML/],
  ])('%s', (_name, path, before, after, want) => {
    const got = versionOnlyChange(path, before, after);
    if (want instanceof RegExp) expect(got).toMatch(want);
    else expect(got).toBe(want);
  });
});

describe('bumpSubjectPatterns', () => {
  const version = VersionConfigSchema.parse({ suffix: '-fork.1', supersede: ['^bump fork patch version'] });
  it.each([
    ['chore(fork): set fork version to 1.2.0-fork.1', true],
    ['chore(fork): set fork version to 1.2.0-fork.1 and more', false],
    ['bump fork patch version to 0.46.0-fork.3', true],
    ['fork: bump fork patch version', false],
  ])('%s → %s', (subject, want) => expect(bumpSubjectPatterns(version).some((p) => p.test(subject))).toBe(want));
});

describe('findSupersededBumps (real repository)', () => {
  const fixtures: ForkFixture[] = [];
  afterEach(() => {
    for (const f of fixtures.splice(0)) f.cleanup();
  });
  const run = boundRunner(new CommandLog());

  it('finds trailer bumps and version-only hand-made bumps; refuses a hand-made one that changes more; nothing when bumps are off', async () => {
    const files = cargoWorkspaceFiles('1.0.0');
    const f = createForkFixture({ base: files, patches: [{ files: { 'FORK.md': 'notes\n' }, message: 'fork: notes' }] });
    fixtures.push(f);
    const bumped = (v: string) => ({ 'Cargo.toml': files['Cargo.toml'].replace('version = "1.0.0"', `version = "${v}"`), 'Cargo.lock': files['Cargo.lock'].replaceAll('version = "1.0.0"', `version = "${v}"`) });
    const hand = commitFiles(f.clone, bumped('1.0.0-fork.1'), 'bump fork patch version');
    const handMore = commitFiles(f.clone, { ...bumped('1.0.0-fork.2'), 'crates/c/src/lib.rs': 'pub fn c() { }\n' }, 'bump fork patch version again');
    git(f.clone, 'commit', '-q', '--allow-empty', '-m', 'chore(fork): set fork version to 1.0.0-fork.3', '--trailer', 'Rebase-Daily-Bump: 1.0.0-fork.3');
    const tool = git(f.clone, 'rev-parse', 'HEAD');
    const upstream = git(f.clone, 'rev-parse', `upstream/${f.upstreamBranch}`);

    const version = VersionConfigSchema.parse({ suffix: '-fork.1', supersede: ['^bump fork patch version'] });
    const scan = await findSupersededBumps(run, f.clone, upstream, 'HEAD', version);
    expect(scan.superseded).toEqual([
      { sha: hand, subject: 'bump fork patch version', reason: 'subject matches /^bump fork patch version/ and it changes only version fields' },
      { sha: tool, subject: 'chore(fork): set fork version to 1.0.0-fork.3', reason: 'Rebase-Daily-Bump: 1.0.0-fork.3' },
    ]);
    expect(scan.refused).toEqual([{ sha: handMore, subject: 'bump fork patch version again', reason: 'subject matches /^bump fork patch version/ but it changes crates/c/src/lib.rs' }]);

    // Without version.supersede the hand-made subjects are ordinary patches.
    const plain = await findSupersededBumps(run, f.clone, upstream, 'HEAD', VersionConfigSchema.parse({ suffix: '-fork.1' }));
    expect(plain).toEqual({ superseded: [scan.superseded[1]], refused: [] });
    // Bumps off: no fresh bump will be written, so nothing is superseded.
    expect(await findSupersededBumps(run, f.clone, upstream, 'HEAD', undefined)).toEqual({ superseded: [], refused: [] });
  });
});
