import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gitDir, revParse, type Runner } from '@rebase-daily/core';
import { resetHard } from '../engine/git-ops.js';

/** The non-comment lines of a sequencer file. */
const lines = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#')) : []);

/** Author, author date and subject: what a cherry-pick keeps, so a replay of a patch shows the patch's. */
async function identity(run: Runner, cwd: string, rev: string): Promise<string | null> {
  const r = await run('git', ['log', '-1', '--format=%an%x00%ae%x00%at%x00%s', rev, '--'], { cwd });
  return r.exitCode === 0 ? r.stdout : null;
}

/**
 * git's sequencer moves a todo line to `done` before it carries the pick out. A kill in between
 * leaves a rebase whose `done` ends with `pick <N>` while HEAD holds no replay of N and no stop names
 * it (REBASE_HEAD is not N): `git rebase --continue` would go on with N+1 and patch N would be lost
 * without a word. This puts the line back at the head of the todo — and the resolution worktree back
 * at HEAD, dropping what the killed pick half wrote — so continue picks N again. Repeating a pick is
 * safe: one that becomes empty is dropped again (`--empty=drop`). Returns N's SHA, or null when the
 * rebase is not in that state.
 */
export async function requeueInterruptedPick(run: Runner, wt: string): Promise<string | null> {
  const dir = await gitDir(run, wt);
  if (!dir) return null;
  const merge = join(dir, 'rebase-merge');
  const done = lines(join(merge, 'done'));
  const last = done.at(-1)?.trim().split(/\s+/);
  if (!last || !['pick', 'p'].includes(last[0]!) || !last[1]) return null;
  const patch = await revParse(run, wt, last[1]);
  if (!patch) return null;
  if ((await revParse(run, wt, 'REBASE_HEAD')) === patch) return null;
  const [head, mine] = await Promise.all([identity(run, wt, 'HEAD'), identity(run, wt, patch)]);
  if (!head || !mine || head === mine) return null;
  const headSha = await revParse(run, wt, 'HEAD');
  if (headSha) await resetHard(run, wt, headSha);
  const todo = join(merge, 'git-rebase-todo');
  const rest = existsSync(todo) ? readFileSync(todo, 'utf8') : '';
  // The todo first: a kill between the two writes leaves N in both files, and the next repair sees
  // `done` still ending with N and writes the todo again from it — never a patch in neither.
  writeFileSync(todo, `${done.at(-1)}\n${rest.startsWith(`${done.at(-1)}\n`) ? rest.slice(done.at(-1)!.length + 1) : rest}`);
  writeFileSync(join(merge, 'done'), done.slice(0, -1).map((l) => `${l}\n`).join(''));
  return patch;
}
