import { describe, expect, it } from 'vitest';
import { compareVersions } from './compare-versions.js';
import { forkVersionOf, newestTagVersion } from './upstream-version.js';

describe('compareVersions', () => {
  it.each([
    ['1.10.0', '1.9.0', 1],
    ['1.0.0', '1.0.0-alpha', 1],
    ['1.0.0-alpha.2', '1.0.0-alpha.10', -1],
    ['1.0.0-alpha', '1.0.0-alpha.1', -1],
    ['1.0.0-rc.1', '1.0.0-beta.9', 1],
    ['2.0.0', '2.0.0', 0],
    ['v0.46.0', '0.45.1', 1],
  ])('%s vs %s', (a, b, want) => expect(compareVersions(a, b)).toBe(want));
});

describe('newestTagVersion', () => {
  it('picks the highest version among matching tags', () => {
    expect(newestTagVersion(['v1.2.0', 'v1.10.0', 'v1.9.3', 'nightly', 'rust-v9.0.0'], '^v(\\d+\\.\\d+\\.\\d+)$')).toEqual({ tag: 'v1.10.0', version: '1.10.0' });
    expect(newestTagVersion(['rust-v0.45.0', 'rust-v0.46.0-alpha.1', 'rust-v0.46.0'], '^rust-v(\\d+\\.\\d+\\.\\d+(?:-[\\w.]+)?)$')).toEqual({
      tag: 'rust-v0.46.0',
      version: '0.46.0',
    });
    expect(newestTagVersion(['nightly'], '^v(\\d+\\.\\d+\\.\\d+)$')).toBeNull();
  });
  it('does not double a suffix', () => {
    expect(forkVersionOf('1.2.0', '-fork.1')).toBe('1.2.0-fork.1');
    expect(forkVersionOf('1.2.0-fork.1', '-fork.1')).toBe('1.2.0-fork.1');
  });
});
