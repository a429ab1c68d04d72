import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolvePaths } from '@rebase-daily/core';
import type { ResolveEnv } from './lifecycle.js';
import { conflictBlocks, describeHunk, hunksOutside, parseZeroContextDiff } from './hunk-scope-parsers.js';

export interface OutsideHunks {
  path: string;
  detail: string;
}

/**
 * What a staged resolution changed beyond the conflict, file by file. For each staged file, the
 * three sides — upstream (HEAD of the replay), the base (the patch's parent) and the patch — are
 * merged again with `git merge-file --diff3`: outside its conflict blocks that merge is exactly what
 * git would have written, so any line the resolution changes there is a change outside the
 * conflicting hunks (an edited licence line, an extra function). A file with no conflict must equal
 * the merge (what the patch itself changes); a patch's other files that merged cleanly are never
 * flagged. Files whose sides are missing or binary are left to the conflict view.
 */
export async function changesOutsideHunks(env: ResolveEnv, wt: string, id: string, patchSha: string, staged: string[]): Promise<OutsideHunks[]> {
  const dir = join(resolvePaths(env.config.scratchPath).base, `scope-${id}`);
  mkdirSync(dir, { recursive: true });
  const out: OutsideHunks[] = [];
  try {
    for (const path of staged) {
      const [ours, base, theirs, resolution] = await Promise.all([blob(env, wt, `HEAD:${path}`), blob(env, wt, `${patchSha}^:${path}`), blob(env, wt, `${patchSha}:${path}`), blob(env, wt, `:${path}`)]);
      if (ours === null || theirs === null || resolution === null) continue;
      const files = { ours: join(dir, 'upstream'), base: join(dir, 'base'), theirs: join(dir, 'patch'), resolution: join(dir, 'resolution') };
      writeFileSync(files.ours, ours);
      writeFileSync(files.base, base ?? '');
      writeFileSync(files.theirs, theirs);
      writeFileSync(files.resolution, resolution);
      // Exit code: the number of conflicts (0..127); above that, an error.
      const merged = await env.run('git', ['merge-file', '-p', '--diff3', '-L', 'upstream', '-L', 'base', '-L', 'patch', files.ours, files.base, files.theirs], { cwd: wt, raw: true });
      if (merged.exitCode < 0 || merged.exitCode > 127) continue;
      writeFileSync(join(dir, 'merged'), merged.stdout);
      const diff = await env.run('git', ['diff', '--no-index', '--no-color', '-U0', join(dir, 'merged'), files.resolution], { cwd: wt, raw: true });
      if (diff.exitCode !== 0 && diff.exitCode !== 1) continue;
      const outside = hunksOutside(parseZeroContextDiff(diff.stdout), conflictBlocks(merged.stdout));
      if (!outside.length) continue;
      const shown = outside.slice(0, 3).map((h) => describeHunk(h)).join('; ');
      out.push({ path, detail: `${outside.length} change(s) outside the conflicting hunks: ${shown}${outside.length > 3 ? '; …' : ''}` });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

/** A blob's text, or null when it does not exist there or is binary. */
async function blob(env: ResolveEnv, wt: string, rev: string): Promise<string | null> {
  const r = await env.run('git', ['show', rev], { cwd: wt, raw: true });
  if (r.exitCode !== 0 || r.stdout.includes('\0')) return null;
  return r.stdout;
}
