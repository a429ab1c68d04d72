import { revParse, statusPorcelain, worktreeHolding } from '../process/git-basics.js';
import { uninterruptible, type CommandResult, type Runner } from '../process/process.js';

const ZERO = '0'.repeat(40);

export interface MoveBranchRequest {
  branch: string;
  /** Where the branch must be now (compare-and-swap); null: it must not exist. */
  from: string | null;
  /** Where it goes; null deletes it. */
  to: string | null;
  /** The reflog message. */
  reason: string;
  /** Refuse (`worktree-dirty`, nothing moved) when the worktree that has the branch checked out has any change, even one the move would keep. */
  requireClean?: boolean;
}

/** Why a move did not happen. Unless `reason` is `worktree-refused` with `restored: false`, everything is as it was. */
export type MoveBranchFailure =
  /** The compare-and-swap found the branch elsewhere (`actual`; null: it does not exist). */
  | { reason: 'ref-moved'; actual: string | null }
  /** `git update-ref` failed with the branch still at `from` (a held `.lock`, an unknown object). */
  | { reason: 'update-ref-failed'; exitCode: number; stderr: string }
  /** `requireClean` and the worktree holding the branch has changes (`git status --porcelain` paths). */
  | { reason: 'worktree-dirty'; holder: string; files: string[] }
  /** A delete of a branch a worktree has checked out: it would be left on an unborn branch. */
  | { reason: 'checked-out'; holder: string }
  /**
   * `git read-tree -m -u` refused to bring the worktree along (a local change it would lose). The
   * branch was put back to `from` (`restored`), or — when that compare-and-swap failed too — it is
   * at `to` and the worktree is not.
   */
  | { reason: 'worktree-refused'; holder: string; exitCode: number; stderr: string; restored: boolean };

export type MoveBranchResult = { ok: true; holder: string | null } | ({ ok: false; ref: string } & MoveBranchFailure);

/**
 * Move `refs/heads/<branch>` from exactly `from` to `to` by compare-and-swap (`git update-ref ref to
 * from`), and bring the worktree that has it checked out along with `git read-tree -m -u from to`:
 * the two-tree merge `git checkout` performs, which moves index and files from the old tree to the
 * new one and refuses, touching nothing, if that would lose a local change or overwrite an untracked
 * file. Not `git reset --keep <to>`: it moves the branch itself (without the compare-and-swap), and
 * run after the CAS it sees HEAD already at <to> and updates no file at all. If the worktree cannot
 * follow, the branch is put back. Once started, the commands finish even if the run is interrupted.
 * Never throws: the failure comes back with a typed reason; callers word it.
 */
export async function moveBranch(run: Runner, repo: string, m: MoveBranchRequest): Promise<MoveBranchResult> {
  const ref = `refs/heads/${m.branch}`;
  const safe = uninterruptible(run);
  const holder = await worktreeHolding(safe, repo, m.branch);
  if (m.from === m.to) return { ok: true, holder };
  if (holder && m.to === null) return { ok: false, ref, reason: 'checked-out', holder };
  const follows = holder !== null && m.from !== null && m.to !== null;
  if (follows && m.requireClean) {
    const dirty = await statusPorcelain(safe, holder);
    if (dirty.length) return { ok: false, ref, reason: 'worktree-dirty', holder, files: dirty.map((l) => l.slice(3)) };
  }
  const cas = await updateRef(safe, repo, ref, m.to, m.from, m.reason);
  if (cas.exitCode !== 0) {
    const actual = await revParse(safe, repo, ref);
    if (actual !== m.from) return { ok: false, ref, reason: 'ref-moved', actual };
    return { ok: false, ref, reason: 'update-ref-failed', exitCode: cas.exitCode, stderr: firstLine(cas) };
  }
  if (!follows) return { ok: true, holder };
  const r = await safe('git', ['read-tree', '-m', '-u', m.from!, m.to!], { cwd: holder });
  if (r.exitCode === 0) return { ok: true, holder };
  const back = await updateRef(safe, repo, ref, m.from, m.to, `${m.reason} (undone: the worktree could not follow)`);
  return { ok: false, ref, reason: 'worktree-refused', holder: holder!, exitCode: r.exitCode, stderr: firstLine(r), restored: back.exitCode === 0 };
}

/** `git update-ref` with the old value as compare-and-swap: `to` null deletes, `from` null must not exist. */
function updateRef(run: Runner, repo: string, ref: string, to: string | null, from: string | null, reason: string) {
  const args = to === null ? ['update-ref', '-m', reason, '-d', ref, from ?? ZERO] : ['update-ref', '-m', reason, ref, to, from ?? ZERO];
  return run('git', args, { cwd: repo });
}

const firstLine = (r: CommandResult) => r.stderr.split('\n')[0] ?? '';

/** One line for any failure, for the cases a caller has no wording of its own for. */
export function moveFailureText(f: { ref: string } & MoveBranchFailure): string {
  const at = (sha: string | null) => (sha ? sha.slice(0, 12) : '(absent)');
  switch (f.reason) {
    case 'ref-moved':
      return `${f.ref} moved meanwhile (it is at ${at(f.actual)}); nothing changed`;
    case 'update-ref-failed':
      return `git update-ref ${f.ref} failed (exit ${f.exitCode}: ${f.stderr}); nothing changed`;
    case 'worktree-dirty':
      return `the worktree ${f.holder} that has ${f.ref} checked out has uncommitted changes in ${f.files.join(', ')}; nothing changed`;
    case 'checked-out':
      return `the worktree ${f.holder} has ${f.ref} checked out; it was not deleted`;
    case 'worktree-refused':
      return `the worktree ${f.holder} could not follow ${f.ref} (git read-tree exit ${f.exitCode}: ${f.stderr}); ${f.restored ? 'the branch was put back' : 'the branch moved and the worktree did not'}`;
  }
}
