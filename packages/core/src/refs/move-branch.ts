import { errors, type RebaseDailyError } from '../errors/errors.js';
import { revParse, statusPorcelain, worktreeHolding } from '../process/git-basics.js';
import { uninterruptible, type CommandResult, type Runner } from '../process/process.js';
import { shortSha } from '../process/sha.js';

const ZERO = '0'.repeat(40);

export interface MoveBranchRequest {
  /**
   * A branch name (`main`), or a full ref name (`refs/rebase-daily/…`): only `refs/heads/` refs can be
   * checked out, so only they bring a worktree along.
   */
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

/** A failed move: the ref, where the caller asked it to go from and to, and why. */
export type MoveBranchFailed = { ok: false; ref: string; from: string | null; to: string | null } & MoveBranchFailure;

export type MoveBranchResult = { ok: true; holder: string | null } | MoveBranchFailed;

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
  const ref = m.branch.startsWith('refs/') ? m.branch : `refs/heads/${m.branch}`;
  const fail = (f: MoveBranchFailure): MoveBranchFailed => ({ ok: false, ref, from: m.from, to: m.to, ...f });
  const safe = uninterruptible(run);
  const holder = ref.startsWith('refs/heads/') ? await worktreeHolding(safe, repo, ref.slice('refs/heads/'.length)) : null;
  if (m.from === m.to) return { ok: true, holder };
  if (holder && m.to === null) return fail({ reason: 'checked-out', holder });
  const follows = holder !== null && m.from !== null && m.to !== null;
  if (follows && m.requireClean) {
    const dirty = await statusPorcelain(safe, holder);
    if (dirty.length) return fail({ reason: 'worktree-dirty', holder, files: dirty.map((l) => l.slice(3)) });
  }
  const cas = await updateRef(safe, repo, ref, m.to, m.from, m.reason);
  if (cas.exitCode !== 0) {
    const actual = await revParse(safe, repo, ref);
    if (actual !== m.from) return fail({ reason: 'ref-moved', actual });
    return fail({ reason: 'update-ref-failed', exitCode: cas.exitCode, stderr: firstLine(cas) });
  }
  if (!follows) return { ok: true, holder };
  const r = await safe('git', ['read-tree', '-m', '-u', m.from!, m.to!], { cwd: holder });
  if (r.exitCode === 0) return { ok: true, holder };
  const back = await updateRef(safe, repo, ref, m.from, m.to, `${m.reason} (undone: the worktree could not follow)`);
  return fail({ reason: 'worktree-refused', holder: holder!, exitCode: r.exitCode, stderr: firstLine(r), restored: back.exitCode === 0 });
}

/** A move recorded before it started: the ref was to go from `from` to `to`. */
export interface RecordedMove {
  branch: string;
  from: string | null;
  to: string;
  reason: string;
}

/**
 * Bring a recorded move to one end, whatever moment a crash interrupted it at: `toward: 'to'`
 * finishes it, `toward: 'from'` undoes it. The ref is at `from` or at `to` (anywhere else: `ref-moved`,
 * nothing changes); the worktree that has the branch checked out has the index and files of `from`
 * or of `to` — a kill between moveBranch's `update-ref` and its `read-tree` leaves the ref at `to`
 * and the worktree at `from`, which `git status` shows as staged changes. Each half is brought to
 * the target (the ref by compare-and-swap, the worktree with `git read-tree -m -u <its tree> <target>`),
 * so the step can be repeated after another crash. A worktree holding anything else (a change of the
 * user's) is `worktree-dirty`, nothing moved.
 */
export async function settleMove(run: Runner, repo: string, m: RecordedMove & { toward: 'to' | 'from' }): Promise<MoveBranchResult> {
  const ref = m.branch.startsWith('refs/') ? m.branch : `refs/heads/${m.branch}`;
  const target = m.toward === 'to' ? m.to : m.from;
  const other = m.toward === 'to' ? m.from : m.to;
  const fail = (f: MoveBranchFailure): MoveBranchFailed => ({ ok: false, ref, from: other, to: target, ...f });
  const safe = uninterruptible(run);
  const actual = await revParse(safe, repo, ref);
  if (actual !== m.from && actual !== m.to) return fail({ reason: 'ref-moved', actual });
  const holder = ref.startsWith('refs/heads/') ? await worktreeHolding(safe, repo, ref.slice('refs/heads/'.length)) : null;
  if (holder && target === null) return fail({ reason: 'checked-out', holder });
  // Which end the holder's index and files are at: `git diff-index --quiet <sha>` compares both with the commit.
  let worktreeAt: string | null = null;
  if (holder) {
    // Refresh the stat cache first, so a file merely touched does not count as changed.
    await safe('git', ['update-index', '-q', '--refresh'], { cwd: holder });
    for (const sha of [target, other]) {
      if (sha && (await safe('git', ['diff-index', '--quiet', sha, '--'], { cwd: holder })).exitCode === 0) {
        worktreeAt = sha;
        break;
      }
    }
    if (!worktreeAt) {
      const dirty = await statusPorcelain(safe, holder);
      return fail({ reason: 'worktree-dirty', holder, files: dirty.map((l) => l.slice(3)) });
    }
  }
  if (actual !== target) {
    const cas = await updateRef(safe, repo, ref, target, actual, m.reason);
    if (cas.exitCode !== 0) {
      const now = await revParse(safe, repo, ref);
      if (now !== actual) return fail({ reason: 'ref-moved', actual: now });
      return fail({ reason: 'update-ref-failed', exitCode: cas.exitCode, stderr: firstLine(cas) });
    }
  }
  if (!holder || worktreeAt === target) return { ok: true, holder };
  const r = await safe('git', ['read-tree', '-m', '-u', worktreeAt!, target!], { cwd: holder });
  if (r.exitCode === 0) return { ok: true, holder };
  return fail({ reason: 'worktree-refused', holder, exitCode: r.exitCode, stderr: firstLine(r), restored: false });
}

/** `git update-ref` with the old value as compare-and-swap: `to` null deletes, `from` null must not exist. */
function updateRef(run: Runner, repo: string, ref: string, to: string | null, from: string | null, reason: string) {
  const args = to === null ? ['update-ref', '-m', reason, '-d', ref, from ?? ZERO] : ['update-ref', '-m', reason, ref, to, from ?? ZERO];
  return run('git', args, { cwd: repo });
}

const firstLine = (r: CommandResult) => r.stderr.split('\n')[0] ?? '';

/**
 * The one wording of a failed move: one line saying what happened, what state everything is in, and —
 * where something is left half done — the command that finishes it.
 */
export function moveFailureText(f: MoveBranchFailed): string {
  const at = (sha: string | null) => (sha ? shortSha(sha) : '(absent)');
  switch (f.reason) {
    case 'ref-moved':
      return `${f.ref} moved meanwhile (expected at ${at(f.from)}, it is at ${at(f.actual)}); nothing changed`;
    case 'update-ref-failed':
      return `git update-ref ${f.ref} failed (exit ${f.exitCode}: ${f.stderr}); nothing changed`;
    case 'worktree-dirty':
      return `the worktree ${f.holder} that has ${f.ref} checked out has uncommitted changes in ${f.files.join(', ')}; nothing changed`;
    case 'checked-out':
      return `the worktree ${f.holder} has ${f.ref} checked out, so it was not deleted (it stays at ${at(f.from)}): switch that worktree to another branch, then run \`git update-ref -d ${f.ref}\``;
    case 'worktree-refused':
      return f.restored
        ? `the worktree ${f.holder} could not follow ${f.ref} to ${at(f.to)} (git read-tree exit ${f.exitCode}: ${f.stderr}); the branch was put back to ${at(f.from)}`
        : `the worktree ${f.holder} could not follow ${f.ref} (git read-tree exit ${f.exitCode}: ${f.stderr}) and the branch could not be put back: it is at ${at(f.to)}; run \`git -C ${f.holder} read-tree -m -u ${f.from} ${f.to}\``;
  }
}

/**
 * A failed move as the domain error every caller reports: a dirty worktree is `E_DIRTY_TREE`, a
 * compare-and-swap that found the ref elsewhere is `E_MOVED_SINCE_VERIFY`, the rest is internal with
 * `moveFailureText`'s line.
 */
export function moveFailureError(f: MoveBranchFailed): RebaseDailyError {
  switch (f.reason) {
    case 'worktree-dirty':
      return errors.dirtyTree(f.files);
    case 'ref-moved':
      return errors.movedSinceVerify(f.ref, f.from ?? '(absent)', f.actual ?? '(deleted)');
    default:
      return errors.internal(moveFailureText(f));
  }
}
