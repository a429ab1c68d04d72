import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { holderLiveness, parseProcStat, processIdentity } from './holder.js';

describe('parseProcStat', () => {
  it.each([
    ['a plain command', '4242 (node) S 4200 4242 4200 0 -1 4194560 3000 0 0 0 12 3 0 0 20 0 11 0 873412 1000000 5000 18446744073709551615', { state: 'S', ppid: 4200, pgrp: 4242, startTime: '873412' }],
    ['a name with spaces and parentheses', '77 (git (x) y) Z 1 77 77 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 5551234 0 0 18446744073709551615', { state: 'Z', ppid: 1, pgrp: 77, startTime: '5551234' }],
  ])('%s', (_name, text, expected) => {
    expect(parseProcStat(text)).toEqual(expected);
  });
  it.each([['', null], ['12 (x) S 1', null], ['no parens at all', null]])('rejects %j', (text, expected) => {
    expect(parseProcStat(text)).toBe(expected);
  });
});

describe('holderLiveness', () => {
  it('this process, as recorded, is alive; another host cannot be judged', () => {
    expect(holderLiveness(processIdentity()).alive).toBe(true);
    expect(holderLiveness({ ...processIdentity(), hostname: `${hostname()}-other` })).toEqual({ alive: null, reason: `on another host (${hostname()}-other)` });
  });
});
