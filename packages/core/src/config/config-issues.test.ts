import { describe, expect, it } from 'vitest';
import { closest, describeFound, editDistance } from './config-issues.js';

describe('closest', () => {
  const keys = ['trunk', 'mirror', 'upstreamBranch', 'remotes', 'scratchDir', 'engine', 'repo', 'lock'];
  it.each([
    ['mirorr', 'mirror'],
    ['Trunk', 'trunk'],
    ['upstream_branch', 'upstreamBranch'],
    ['scratchdir', 'scratchDir'],
    ['remote', 'remotes'],
    ['colour', null],
    ['typo', null],
    ['lockk', 'lock'],
    ['x', null],
  ])('%s → %s', (name, expected) => {
    expect(closest(name, keys)).toBe(expected);
  });
});

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', 'abc', 0],
    ['mirorr', 'mirror', 1],
    ['dialy', 'daily', 1],
    ['typo', 'repo', 2],
    ['kitten', 'sitting', 3],
  ])('%s ↔ %s = %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });
});

describe('describeFound', () => {
  it.each([
    [42, 'the number 42'],
    ['x', 'the string "x"'],
    ['', 'an empty string'],
    [[], 'an empty array'],
    [[1, 2], 'an array of 2'],
    [{}, 'an object'],
    [null, 'null'],
    [false, 'false'],
  ])('%j → %s', (value, expected) => {
    expect(describeFound(value)).toBe(expected);
  });
});
