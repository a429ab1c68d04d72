import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.js';

// conflicts.mechanical and conflicts.policy (issue 22): defaults, and bad input named by field.
const parse = (conflicts: unknown) => parseConfig({ trunk: 'fork/trunk', ...(conflicts === undefined ? {} : { conflicts }) }, '/x/rebase-daily.json');

describe('conflicts config', () => {
  it('defaults: Cargo.lock merged by structure, no path policy', () => {
    const r = parse(undefined);
    expect(r.ok && r.config.conflicts).toEqual({ owner: 'human', mechanical: ['Cargo.lock'], policy: { prefer: [], removed: [] } });
  });

  it.each([
    [{ mechanical: [] }, { owner: 'human', mechanical: [], policy: { prefer: [], removed: [] } }],
    [{ mechanical: ['codex-rs/Cargo.lock'], policy: { prefer: [{ paths: ['docs/**'], prefer: 'fork' }], removed: ['legacy/**'] } }, { owner: 'human', mechanical: ['codex-rs/Cargo.lock'], policy: { prefer: [{ paths: ['docs/**'], prefer: 'fork' }], removed: ['legacy/**'] } }],
  ])('accepts %j', (conflicts, want) => {
    const r = parse(conflicts);
    expect(r.ok && r.config.conflicts).toEqual(want);
  });

  it.each([
    [{ mechanical: ['package-lock.json'] }, /conflicts\.mechanical\[0\]: .*not a lock file rebase-daily merges \(known: Cargo\.lock\)/],
    [{ policy: { prefer: [{ paths: ['docs/**'], prefer: 'ours' }] } }, /conflicts\.policy\.prefer\[0\]\.prefer: expected one of "fork", "upstream"/],
    [{ policy: { prefer: [{ paths: [], prefer: 'fork' }] } }, /conflicts\.policy\.prefer\[0\]\.paths/],
  ])('refuses %j naming the field', (conflicts, message) => {
    const r = parse(conflicts);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join('\n')).toMatch(message);
  });
});
