import { describe, expect, it } from 'vitest';
import { parseCargoMetadata, staleLockEntries } from './cargo-metadata.js';

// Captured from `cargo metadata --no-deps --format-version 1 --offline` (cargo 1.95) on a workspace
// with members = ["crates/*"] and a path dependency libs/p declared in [workspace.dependencies]
// (trimmed to the fields read). Cargo lists the path dependency as a member.
const captured = {
  packages: [
    { name: 'a', version: '1.0.0', id: 'path+file:///tmp/cm/crates/a#1.0.0', manifest_path: '/tmp/cm/crates/a/Cargo.toml' },
    { name: 'p', version: '1.0.0', id: 'path+file:///tmp/cm/libs/p#1.0.0', manifest_path: '/tmp/cm/libs/p/Cargo.toml' },
  ],
  workspace_members: ['path+file:///tmp/cm/crates/a#1.0.0', 'path+file:///tmp/cm/libs/p#1.0.0'],
  workspace_root: '/tmp/cm',
};

describe('parseCargoMetadata', () => {
  it.each([
    [
      'members by glob and a path dependency inside the root',
      captured,
      [
        { name: 'a', version: '1.0.0', manifestPath: '/tmp/cm/crates/a/Cargo.toml' },
        { name: 'p', version: '1.0.0', manifestPath: '/tmp/cm/libs/p/Cargo.toml' },
      ],
    ],
    ['a package that is not a workspace member', { ...captured, workspace_members: [captured.workspace_members[0]] }, [{ name: 'a', version: '1.0.0', manifestPath: '/tmp/cm/crates/a/Cargo.toml' }]],
    ['no packages', { packages: [], workspace_members: [] }, []],
  ])('%s', (_name, doc, want) => expect(parseCargoMetadata(JSON.stringify(doc))).toEqual(want));
});

describe('staleLockEntries', () => {
  const lock = `version = 4

[[package]]
name = "a"
version = "1.1.0"

[[package]]
name = "p"
version = "1.0.0"

[[package]]
name = "p"
version = "1.1.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
`;
  const m = (name: string, version: string) => ({ name, version, manifestPath: `/x/${name}/Cargo.toml` });
  it.each([
    ['all entries carry their version', [m('a', '1.1.0')], { members: 1, stale: [], missing: [] }],
    ['a local entry left behind (a registry package of the same name does not count)', [m('a', '1.1.0'), m('p', '1.1.0')], { members: 2, stale: [{ name: 'p', lock: '1.0.0', want: '1.1.0' }], missing: [] }],
    ['a member with no entry', [m('q', '1.1.0')], { members: 1, stale: [], missing: ['q'] }],
  ])('%s', (_name, members, want) => expect(staleLockEntries(lock, members)).toEqual(want));
});
