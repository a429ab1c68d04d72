import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Runner } from '@rebase-daily/core';
import { conflictHunks } from './path-policy.js';

/** At most this many hunks, each cut to this many characters, are kept as the record of a decision. */
const MAX_HUNKS = 20;
const MAX_HUNK_CHARS = 2_000;

/**
 * A content conflict decided by side, hunk by hunk: `git merge-file -p --ours|--theirs` keeps every
 * change that merges cleanly from both sides and takes `favor`'s side only in the conflicting hunks
 * (the same rule as `git merge -X ours/theirs`). In a replay "ours" is the new base (upstream plus
 * earlier patches) and "theirs" is the patch: prefer fork = theirs. Returns the merged text and the
 * conflicting hunks it decided (as plain `git merge-file -p` marks them), or null when git failed.
 */
export async function mergeBySide(run: Runner, sides: { base: string; ours: string; theirs: string }, favor: 'ours' | 'theirs'): Promise<{ text: string; hunks: string[] } | null> {
  const dir = mkdtempSync(join(tmpdir(), 'rebase-daily-side-'));
  try {
    for (const [name, text] of Object.entries(sides)) writeFileSync(join(dir, name), text);
    const args = ['-L', 'upstream', '-L', 'base', '-L', 'fork', 'ours', 'base', 'theirs'];
    const marked = await run('git', ['merge-file', '-p', ...args], { cwd: dir, raw: true });
    const decided = await run('git', ['merge-file', '-p', `--${favor}`, ...args], { cwd: dir, raw: true });
    if (marked.exitCode < 0 || decided.exitCode !== 0) return null;
    const hunks = conflictHunks(marked.stdout)
      .slice(0, MAX_HUNKS)
      .map((h) => (h.length > MAX_HUNK_CHARS ? `${h.slice(0, MAX_HUNK_CHARS)}\n… (cut)` : h));
    return { text: decided.stdout, hunks };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
