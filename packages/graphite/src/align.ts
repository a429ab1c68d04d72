import { realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  backupFile,
  listWorktrees,
  currentBranch,
  errors,
  firstLine,
  gitDir,
  operationInProgress,
  outcomeOf,
  revParse,
  shellQuote,
  statusPorcelain,
  type AlignData as AlignDataContract,
  type CommandResult,
  type Conflict,
  type RebaseDailyError,
  type StageContext,
  type StageImpl,
  type StageResult,
} from '@rebase-daily/core';
import { branchTips, discoverDescendants, stackRoots, subtree, type BranchNode, type DescendantTree } from './descendants.js';
import { graphiteErrors } from './errors.js';
import { packageDir, resolveGt, type GtResolution } from './gt-bin.js';
import { readGraphiteRepo } from './graphite-repo.js';
import { verifyParentage, type ParentageDrift } from './parentage.js';
import { abortAndRestore, inspectStoppedRebase, restackUpstack, takeSnapshot, type RestackSnapshot } from './restack.js';
import { syncGraphite, type SyncOutcome } from './sync.js';

/** What align records in `StageResult.data`: core's AlignData contract (the report reads it), with gt's own types. */
export interface AlignData extends AlignDataContract {
  gt: { path: string; source: string } | null;
  graphiteTrunk: string | null;
  sync: (SyncOutcome & { policy: 'stop' | 'continue' }) | null;
  /** The tree before and after: branch → parent with tip SHAs. */
  before: BranchNode[];
  after: BranchNode[] | null;
  /** Branches whose tip the restack moved. */
  restacked: string[];
  /**
   * What a human runs to publish restacked stacks the fork remote does not have yet; the publish
   * stage pushes the restacked branches the fork already has (with the trunk, in one atomic push).
   */
  publish: string[];
  /** The fork remote's SHA of each tracked branch, as this run first saw it (the publish lease). */
  remoteBefore: Record<string, string | null>;
  drift: ParentageDrift[];
  /** Where the tree came from: gt's metadata database, or `gt ls` alone. */
  source: 'metadata-db' | 'gt-ls' | null;
  busyWorktrees: { branch: string; path: string }[];
}

const sec = (s: number) => s * 1000;

function failed(error: RebaseDailyError, summary: string, data: Partial<AlignData>, extra: Partial<StageResult> = {}): StageResult {
  return { status: 'failed', outcome: outcomeOf(error), summary, data: { ...data }, errors: [error.toJSON()], ...extra };
}

/** What every phase of align reads, and the stage data and warnings they build together. */
interface Align {
  ctx: StageContext;
  graphite: NonNullable<StageContext['config']['graphite']>;
  gt: GtResolution;
  metadataDb: string;
  data: AlignData;
  warnings: string[];
  startBranch: string | null;
  startHead: string | null;
  commandTimeout: number;
  /** The fork's branches before gt sync can fetch anything: the leases publish pushes with. */
  forkRefs: Map<string, string>;
}

/** A phase hands on its result, or a StageResult that ends the stage. */
function ends<T extends object>(r: T | StageResult): r is StageResult {
  return 'status' in r;
}

/**
 * The align stage. gt is found as graphite.bin says, else on PATH, else in node_modules/.bin upward
 * from the repo and from this package (gt-bin.ts).
 */
export const alignStage: StageImpl = async (ctx: StageContext): Promise<StageResult> => {
  const a = await checkPreconditions(ctx);
  if (ends(a)) return a;
  // 1. Sync Graphite's view with the remote; the policy decides what a failure means.
  const syncStop = await syncWithRemote(a);
  if (syncStop) return syncStop;
  // 2. Discover the whole tracked tree above the trunk.
  const before = await discoverTree(a);
  if (ends(before)) return before;
  // 3. Branches checked out in other worktrees cannot be rebased: refuse before touching anything.
  const busy = await refuseBusyWorktrees(a, before);
  if (busy) return busy;
  // 4. Restack everything above the trunk; on any failure put every branch back.
  const snapshot = await restackAll(a, before);
  if (ends(snapshot)) return snapshot;
  // 5. Prove the result: git ancestry for every branch, and Graphite agreeing nothing needs restack.
  const after = await recordRestacked(a, snapshot);
  if (ends(after)) return after;
  return proveParentage(a, after);
};

/** Graphite is on and set up for this trunk, gt is found, and the repo is clean with no operation in progress. */
async function checkPreconditions(ctx: StageContext): Promise<Align | StageResult> {
  const { config, run } = ctx;
  const graphite = config.graphite;
  if (!graphite) {
    return { status: 'not-configured', summary: 'Graphite alignment is off: the config has no "graphite" section (add "graphite": {} to turn it on); restack skipped' };
  }
  const repo = config.repoPath;
  const trunk = config.trunk;
  const repoConfig = await readGraphiteRepo(run, repo);
  if (!repoConfig) {
    return {
      status: 'not-configured',
      summary: `${repo} is not a Graphite repo (no .git/.graphite_repo_config); restack skipped. Run \`gt init --trunk ${trunk}\` there to use Graphite`,
    };
  }
  const data: AlignData = { gt: null, graphiteTrunk: repoConfig.trunk, sync: null, before: [], after: null, restacked: [], publish: [], remoteBefore: {}, drift: [], source: null, busyWorktrees: [] };

  const gt = resolveGt({
    bin: graphite.bin,
    baseDir: dirname(config.configPath),
    searchFrom: [repo, packageDir()].filter((d): d is string => Boolean(d)),
  });
  if (!gt) {
    const e = graphiteErrors.gtMissing(graphite.bin);
    return failed(e, e.message, data);
  }
  data.gt = gt;
  if (repoConfig.trunk !== trunk) {
    const e = graphiteErrors.trunkMismatch(repoConfig.trunk, trunk);
    return failed(e, e.message, data);
  }

  const dir = await gitDir(run, repo);
  const op = dir ? operationInProgress(dir) : null;
  if (op) return failed(errors.rebaseInProgress(repo), `a ${op} is in progress in ${repo}; align did nothing`, data);
  const dirty = await statusPorcelain(run, repo);
  if (dirty.length) {
    const e = errors.dirtyTree(dirty.map((l) => l.slice(3)), repo);
    return failed(e, e.message, data);
  }
  const startBranch = await currentBranch(run, repo);
  const startHead = await revParse(run, repo, 'HEAD');
  const commandTimeout = sec(graphite.commandTimeoutSeconds);
  const forkRefs = await remoteTracking(ctx);
  return { ctx, graphite, gt, metadataDb: repoConfig.metadataDb, data, warnings: [], startBranch, startHead, commandTimeout, forkRefs };
}

/** `gt sync --no-restack`: a trunk it moved ends the stage; a failure ends it or warns, as graphite.onSyncFailure says. */
async function syncWithRemote(a: Align): Promise<StageResult | null> {
  const { ctx, graphite, gt, data, warnings } = a;
  const { run, progress } = ctx;
  const trunk = ctx.config.trunk;
  progress.info('gt sync --no-restack');
  const sync = await syncGraphite(run, ctx.config.repoPath, gt.path, trunk, sec(graphite.syncTimeoutSeconds));
  data.sync = { ...sync, policy: graphite.onSyncFailure };
  if (sync.trunkMoved) {
    const e = graphiteErrors.syncMovedTrunk(trunk, sync.trunkMoved.from, sync.trunkMoved.to, sync.trunkMoved.restored);
    return failed(e, e.message, data);
  }
  if (!sync.ok) {
    if (graphite.onSyncFailure === 'stop') {
      const e = graphiteErrors.syncFailed(sync.message);
      return failed(e, `${e.message} (graphite.onSyncFailure is "stop")`, data);
    }
    const w = `gt sync --no-restack failed (${sync.message}); continuing with the local restack (graphite.onSyncFailure is "continue"): merged or closed PRs were not cleaned up`;
    warnings.push(w);
    progress.warn(w);
  }
  return null;
}

/** The tracked tree above the trunk as it is before the restack (no descendants ends the stage, unchanged). */
async function discoverTree(a: Align): Promise<DescendantTree | StageResult> {
  const { ctx, graphite, gt, data, warnings } = a;
  const found = await discoverDescendants(ctx.run, ctx.config.repoPath, gt.path, ctx.config.trunk, a.commandTimeout, a.metadataDb);
  if (!found.ok) {
    const e = graphiteErrors.commandFailed('gt ls --classic', found.result.timedOut ? `timed out after ${graphite.commandTimeoutSeconds}s` : firstLine(found.result.stderr) || `exit ${found.result.exitCode}`);
    return failed(e, e.message, data, { warnings });
  }
  const before = found.tree;
  data.before = before.branches;
  data.source = before.source;
  if (before.branches.length === 0) {
    return { status: 'ok', outcome: 'no-change', summary: 'no descendants; restack skipped', data: { ...data, after: [] }, warnings };
  }
  return before;
}

/** A tracked branch checked out in another worktree ends the stage, with the command that frees it. */
async function refuseBusyWorktrees(a: Align, before: DescendantTree): Promise<StageResult | null> {
  const { ctx, data, warnings } = a;
  const repo = ctx.config.repoPath;
  const here = realpathSafe(repo);
  const tracked = new Set(before.branches.map((b) => b.branch));
  data.busyWorktrees = (await listWorktrees(ctx.run, repo))
    .filter((w) => w.branch && tracked.has(w.branch) && realpathSafe(w.path) !== here)
    .map((w) => ({ branch: w.branch as string, path: w.path }));
  if (data.busyWorktrees.length) {
    const e = graphiteErrors.worktreeBusy(data.busyWorktrees);
    return failed(e, e.message, data, { warnings, nextActions: data.busyWorktrees.map((b) => `git -C ${shellQuote(b.path)} switch --detach`) });
  }
  return null;
}

/** A tracked branch as a run-state candidate: from its tip before the restack, published when the fork has it and it moved. */
function candidateOf(a: Align, snapshot: RestackSnapshot, branch: string, to: string | null, status: 'recorded' | 'moved') {
  const from = snapshot.tips.get(branch) ?? null;
  const remote = a.data.remoteBefore[branch] ?? null;
  return { branch, role: 'descendant' as const, from, to, remote, publish: remote !== null && to !== from, status, keptAs: null };
}

/** `gt restack --upstack`, every branch and Graphite's metadata recorded before it starts. Returns the snapshot it restacked from. */
async function restackAll(a: Align, before: DescendantTree): Promise<RestackSnapshot | StageResult> {
  const { ctx, graphite, gt, data } = a;
  const { run, progress } = ctx;
  const repo = ctx.config.repoPath;
  const trunk = ctx.config.trunk;
  const snapshot = takeSnapshot(await branchTips(run, repo), a.startBranch, a.startHead, a.metadataDb);
  // Record before the restack moves anything: every tracked branch as a candidate whose new tip
  // gt decides (to: null until it is done), and a copy of Graphite's metadata to put back with them.
  for (const b of before.branches) data.remoteBefore[b.branch] = a.forkRefs.get(b.branch) ?? null;
  for (const b of before.branches) ctx.recordCandidate(candidateOf(a, snapshot, b.branch, null, 'recorded'));
  const backup = backupFile(a.metadataDb, ctx.runDir, 'graphite_metadata.db');
  if (backup) ctx.recordUndoFile({ path: a.metadataDb, backup });
  progress.info(`gt restack --branch ${trunk} --upstack (${before.branches.length} descendant branch(es))`);
  // Recorded before it starts: the rebase gt runs (on one of these branches) is this run's to
  // abort if the run dies mid-restack; a rebase on any other branch is not.
  ctx.registerTemporary('operation', repo, { op: 'rebase', heads: [...new Set(before.branches.map((b) => b.branch))] });
  const r = await restackUpstack(run, repo, gt.path, trunk, sec(graphite.restackTimeoutSeconds));
  if (r.exitCode !== 0 || r.timedOut) return restackFailed(a, before, snapshot, r);
  ctx.unregisterTemporary('operation', repo);
  return snapshot;
}

/** The restack stopped or failed: put every branch back, then say why (a conflict with how to reproduce it). */
async function restackFailed(a: Align, before: DescendantTree, snapshot: RestackSnapshot, r: CommandResult): Promise<StageResult> {
  const { ctx, gt, data, warnings } = a;
  const { run } = ctx;
  const repo = ctx.config.repoPath;
  const trunk = ctx.config.trunk;
  const stopped = r.timedOut ? null : await inspectStoppedRebase(run, repo);
  const parentTipAtStop = stopped?.branch ? await revParse(run, repo, parentOf(before, stopped.branch) ?? trunk) : null;
  const restore = await abortAndRestore(run, repo, gt.path, snapshot, a.commandTimeout);
  if (restore.restored) ctx.unregisterTemporary('operation', repo);
  const restoreData = { ...data, restore };
  if (!restore.restored) {
    const e = graphiteErrors.restoreIncomplete(restore.problems);
    return failed(e, e.message, restoreData, { warnings, nextActions: restore.problems });
  }
  if (r.timedOut) {
    const e = graphiteErrors.restackTimedOut(a.graphite.restackTimeoutSeconds);
    return failed(e, e.message, restoreData, { warnings });
  }
  if (!stopped) {
    const e = graphiteErrors.commandFailed(`gt restack --branch ${trunk} --upstack`, firstLine(r.stderr) || `exit ${r.exitCode}`);
    return failed(e, e.message, restoreData, { warnings });
  }
  const branch = stopped.branch ?? '(unknown branch)';
  const conflict = restackConflict(ctx, before, snapshot.tips, branch, stopped, parentTipAtStop);
  const e = graphiteErrors.restackConflict(branch, stopped.files);
  return failed(e, e.message, restoreData, { warnings, conflict, nextActions: conflict.reproduce });
}

/** The tree after the restack: which branches moved, their candidates, what a human publishes; back on the start branch. */
async function recordRestacked(a: Align, snapshot: RestackSnapshot): Promise<DescendantTree | StageResult> {
  const { ctx, gt, data, warnings, startBranch } = a;
  const { run } = ctx;
  const repo = ctx.config.repoPath;
  const again = await discoverDescendants(run, repo, gt.path, ctx.config.trunk, a.commandTimeout, a.metadataDb);
  if (!again.ok) {
    const e = graphiteErrors.commandFailed('gt ls --classic', firstLine(again.result.stderr) || `exit ${again.result.exitCode}`);
    return failed(e, e.message, data, { warnings });
  }
  const after = again.tree;
  data.after = after.branches;
  data.restacked = after.branches.filter((b) => b.tip !== snapshot.tips.get(b.branch)).map((b) => b.branch);
  for (const b of after.branches) ctx.recordCandidate(candidateOf(a, snapshot, b.branch, b.tip, 'moved'));
  const notOnFork = data.restacked.filter((b) => data.remoteBefore[b] == null);
  data.publish = stackRoots(after)
    .filter((root) => subtree(after, root).some((b) => notOnFork.includes(b)))
    .map((root) => `gt checkout ${root} && gt submit --stack --no-interactive`);
  if ((await currentBranch(run, repo)) !== startBranch && startBranch) await run('git', ['checkout', '--quiet', startBranch], { cwd: repo });
  return after;
}

/** Every branch on its parent, by git ancestry and by Graphite: drift ends the stage with its recovery; else the ok result. */
async function proveParentage(a: Align, after: DescendantTree): Promise<StageResult> {
  const { ctx, data, warnings } = a;
  data.drift = await verifyParentage(ctx.run, ctx.config.repoPath, after);
  const graphiteSays = after.branches.filter((b) => b.needsRestack && !data.drift.some((d) => d.branch === b.branch));
  for (const b of graphiteSays) {
    data.drift.push({ branch: b.branch, parent: b.parent, parentTip: null, tip: b.tip, actualParent: null, recovery: [`gt restack --branch ${b.branch}   # Graphite still reports it as needing a restack`] });
  }
  if (data.drift.length) {
    const e = graphiteErrors.parentageDrift(data.drift.map((d) => d.branch));
    return failed(e, e.message, data, { warnings, nextActions: data.drift.flatMap((d) => d.recovery) });
  }
  const n = data.restacked.length;
  return {
    status: 'ok',
    outcome: n ? undefined : 'no-change',
    summary: `${n ? `restacked ${n} of ${after.branches.length} descendant branch(es)` : `all ${after.branches.length} descendant branch(es) already on their parents`}; parentage verified; local only: publish pushes the restacked branches ${ctx.config.remotes.fork} has`,
    data: { ...data },
    warnings,
  };
}

/** `refs/remotes/<fork>/*` → SHA (branch names, as the fork remote-tracking refs show them). */
async function remoteTracking(ctx: StageContext): Promise<Map<string, string>> {
  const prefix = `refs/remotes/${ctx.config.remotes.fork}/`;
  const r = await ctx.run('git', ['for-each-ref', '--format=%(objectname) %(refname)', prefix], { cwd: ctx.config.repoPath });
  const out = new Map<string, string>();
  for (const line of r.stdout.split('\n').filter(Boolean)) {
    const [sha, ref] = line.split(' ');
    if (ref && ref.startsWith(prefix)) out.set(ref.slice(prefix.length), sha!);
  }
  return out;
}

function parentOf(tree: DescendantTree, branch: string): string | null {
  return tree.branches.find((b) => b.branch === branch)?.parent ?? null;
}

function realpathSafe(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

function restackConflict(
  ctx: StageContext,
  tree: DescendantTree,
  tipsBefore: Map<string, string>,
  branch: string,
  stopped: { commit: string | null; subject: string | null; files: string[] },
  parentTipAtStop: string | null,
): Conflict {
  const repo = ctx.config.repoPath;
  const parent = parentOf(tree, branch) ?? tree.trunk;
  const tip = tipsBefore.get(branch) ?? null;
  const parentTipBefore = tipsBefore.get(parent) ?? null;
  const scratch = join(ctx.config.scratchPath, `repro-align-${branch.replace(/[^A-Za-z0-9._-]/g, '-')}`);
  const reproduce = [
    `# with Graphite, in ${repo} (undo with \`gt abort\`):`,
    `gt restack --branch ${shellQuote(tree.trunk)} --upstack`,
  ];
  if (tip && parentTipBefore && parentTipAtStop) {
    reproduce.push(
      `# or with plain git in a scratch worktree (moves no branch):`,
      `git -C ${shellQuote(repo)} worktree add --detach ${shellQuote(scratch)} ${tip}`,
      `git -C ${shellQuote(scratch)} rebase --onto ${parentTipAtStop} ${parentTipBefore}`,
      `git -C ${shellQuote(repo)} worktree remove --force ${shellQuote(scratch)}`,
    );
  }
  return {
    stage: 'align',
    patch: stopped.commit ? { sha: stopped.commit, subject: stopped.subject ?? '' } : tip ? { sha: tip, subject: '' } : null,
    position: null,
    queueLength: null,
    files: stopped.files,
    branch,
    reproduce,
  };
}
