import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGtBranchLines, parseGtLsClassic } from './gt-ls.js';

// Every fixture is real output of gt 1.8.6 captured in this repo's environment (see __fixtures__).
const fixture = (name: string) => readFileSync(join(import.meta.dirname, '__fixtures__', name), 'utf8');
const tree = (stdout: string) => parseGtLsClassic(stdout).map((e) => `${e.branch}<-${e.parent ?? '-'}${e.needsRestack ? '!' : ''}`);

describe('parseGtLsClassic', () => {
  it.each([
    ['ls-classic-trunk-only.txt', ['fork/trunk<--']],
    [
      'ls-classic-tree.txt',
      ['fork/trunk<--', 's2<-fork/trunk', 's1<-fork/trunk', 'feat/a1<-fork/trunk', 'b1<-feat/a1', 'b2<-b1', 'feat/a2<-feat/a1', 'feat/a3<-feat/a2'],
    ],
    [
      'ls-classic-needs-restack.txt',
      ['fork/trunk<--', 's2<-fork/trunk!', 's1<-fork/trunk!', 'feat/a1<-fork/trunk!', 'b1<-feat/a1', 'b2<-b1', 'feat/a2<-feat/a1', 'feat/a3<-feat/a2'],
    ],
  ])('%s', (name, expected) => {
    expect(tree(fixture(name))).toEqual(expected);
  });

  it.each([
    ['empty output', '', []],
    ['tips and blank lines around the tree', '\n↱ $ main\n\ntip: use gt undo\n', ['main<--']],
    ['colour codes', '\u001b[36m  ↱ $ a\u001b[39m\n↱ $ main\n', ['main<--', 'a<-main']],
    ['trailing spaces', '  ↱ $ a (needs restack)   \n↱ $ main  \n', ['main<--', 'a<-main!']],
  ])('%s', (_name, stdout, expected) => {
    expect(tree(stdout)).toEqual(expected);
  });

  it('gives depth from the indentation', () => {
    const depths = Object.fromEntries(parseGtLsClassic(fixture('ls-classic-tree.txt')).map((e) => [e.branch, e.depth]));
    expect(depths).toEqual({ 'fork/trunk': 0, s1: 1, s2: 1, 'feat/a1': 1, b1: 2, 'feat/a2': 2, b2: 3, 'feat/a3': 3 });
  });
});

describe('parseGtBranchLines', () => {
  it.each([
    ['children-a1.txt', ['feat/a2', 'b1']],
    ['children-trunk.txt', ['feat/a1', 's1', 's2']],
    ['children-a3-leaf.txt', []],
    ['parent-a1.txt', ['fork/trunk']],
    // gt parent on the trunk is an error whose message is not a branch name.
    ['parent-trunk.txt', []],
  ])('%s', (name, expected) => {
    expect(parseGtBranchLines(fixture(name))).toEqual(expected);
  });

  it('agrees with the classic tree on the captured repo', () => {
    const entries = parseGtLsClassic(fixture('ls-classic-tree.txt'));
    const childrenOf = (b: string) => entries.filter((e) => e.parent === b).map((e) => e.branch).sort();
    expect(childrenOf('feat/a1')).toEqual(parseGtBranchLines(fixture('children-a1.txt')).sort());
    expect(childrenOf('fork/trunk')).toEqual(parseGtBranchLines(fixture('children-trunk.txt')).sort());
  });
});
