import { describe, expect, it } from 'vitest';
import { conflictHunks, policyFor, type PathPolicy } from './path-policy.js';

const policy: PathPolicy = {
  prefer: [
    { paths: ['docs/**', '*.md'], prefer: 'fork' },
    { paths: ['vendor/**'], prefer: 'upstream' },
  ],
  removed: ['legacy/**', '.github/workflows/release.yml'],
};

describe('policyFor', () => {
  it.each([
    ['docs/guide/intro.md', { rule: 'prefer-fork', glob: 'docs/**' }],
    ['README.md', { rule: 'prefer-fork', glob: '*.md' }],
    ['src/README.md', undefined],
    ['vendor/x/lib.rs', { rule: 'prefer-upstream', glob: 'vendor/**' }],
    ['legacy/old.rs', { rule: 'removed', glob: 'legacy/**' }],
    ['.github/workflows/release.yml', { rule: 'removed', glob: '.github/workflows/release.yml' }],
    ['src/main.rs', undefined],
  ])('%s → %o', (path, want) => {
    expect(policyFor(path, policy)).toEqual(want);
  });

  it('says nothing without a policy', () => {
    expect(policyFor('docs/a.md', undefined)).toBeUndefined();
  });
});

describe('conflictHunks', () => {
  it.each([
    ['no markers', 'a\nb\n', []],
    ['one block', 'a\n<<<<<<< ours\nx\n=======\ny\n>>>>>>> theirs\nb\n', ['<<<<<<< ours\nx\n=======\ny\n>>>>>>> theirs']],
    ['two blocks', '<<<<<<< o\n1\n=======\n2\n>>>>>>> t\nm\n<<<<<<< o\n3\n=======\n>>>>>>> t\n', ['<<<<<<< o\n1\n=======\n2\n>>>>>>> t', '<<<<<<< o\n3\n=======\n>>>>>>> t']],
  ])('%s', (_name, text, want) => {
    expect(conflictHunks(text)).toEqual(want);
  });
});
