import { describe, expect, it } from 'vitest';
import { findPatch } from './rewrite.js';

// How `resolve fixup|edit <patch>` finds the patch: by position in the replayed queue, by its new
// SHA, or by its SHA in the old queue (mapped by subject).
const queue = [
  { position: 1, sha: 'aaaa1111'.padEnd(40, '0'), subject: 'P1: extra' },
  { position: 2, sha: 'bbbb2222'.padEnd(40, '0'), subject: 'P2: name' },
];
const old = [
  { sha: 'cccc3333'.padEnd(40, '0'), subject: 'P1: extra' },
  { sha: 'dddd4444'.padEnd(40, '0'), subject: 'P2: name' },
];

describe('findPatch', () => {
  it.each([
    ['1', 1],
    ['2', 2],
    ['3', null],
    ['0', null],
    ['aaaa1111', 1],
    ['BBBB2', 2],
    ['cccc3333', 1],
    ['dddd', 2],
    ['abc', null],
    ['P1', null],
    ['eeee5555', null],
  ])('%s → %s', (target, position) => expect(findPatch(queue, old, target)?.position ?? null).toBe(position));
});
