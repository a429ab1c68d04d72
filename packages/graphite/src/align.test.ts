import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createForkFixture, git, writeFile, type ForkFixture } from '@rebase-daily/core/testing';
import { alignStage, type AlignData } from './align.js';
import { verifyParentage } from './parentage.js';
import { readBranchMetadata } from './metadata-db.js';
import { discoverDescendants } from './descendants.js';
import { gtSync, initGraphiteStack, workspaceGt, type StackBranch } from './testing.js';
import { installHook, isolateGtHome, removeGtDir, stageContext, syncStandInGt } from './test-support.js';
import { boundRunner, CommandLog } from '@rebase-daily/core';

// Real gt 1.8.6 (node_modules/.bin/gt) on real repos throughout. The one stand-in is `gt sync`
// succeeding (syncOk): it needs Graphite's service, which this machine cannot reach. A hanging or
// failing sync is the real gt under a short timeout; a hanging restack is the real gt held up by a
// git hook; a missing gt is a graphite.bin that names nothing installed.
const TRUNK = 'fork/trunk';
let home: string;
let fx: ForkFixture | undefined;
beforeAll(() => {
  home = isolateGtHome();
});
afterAll(() => removeGtDir(home));
afterEach(() => {
  if (fx) removeGtDir(fx.root);
  fx = undefined;
});

const STACK: StackBranch[] = [
  { name: 'a1', parent: TRUNK, files: { 'a1.txt': 'a1\n' } },
  { name: 'a2', parent: 'a1', files: { 'a2.txt': 'a2\n' } },
  { name: 'a3', parent: 'a2', files: { 'a3.txt': 'a3\n' } },
  { name: 's1', parent: TRUNK, files: { 's1.txt': 's1\n' } },
  { name: 's2', parent: TRUNK, files: { 's2.txt': 's2\n' } },
];

function fork(): ForkFixture {
  fx = createForkFixture({ trunk: TRUNK });
  return fx;
}

/** What apply does to the trunk: rewrite it (the old tip is no longer in its history). */
function rewriteTrunk(f: ForkFixture, files: Record<string, string> = { 'upstream-new.txt': 'new upstream work\n' }): string {
  git(f.clone, 'checkout', '-q', TRUNK);
  for (const [p, c] of Object.entries(files)) {
    writeFile(f.clone, p, c);
    git(f.clone, 'add', '--', p);
  }
  git(f.clone, 'commit', '-q', '--amend', '-m', 'fork: add notes (rebased onto new upstream)');
  return git(f.clone, 'rev-parse', 'HEAD');
}

/** Has process `pid` ended (gone, or a zombie nobody reaped)? Polls up to 15 s: a kill is an event, not an instant. */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 150; i++) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return true;
    }
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return true;
    await new Promise((res) => setTimeout(res, 100));
  }
  return false;
}

const tips = (repo: string, names: string[]) => Object.fromEntries(names.map((n) => [n, git(repo, 'rev-parse', n)]));
const contains = (repo: string, ancestor: string, branch: string) => {
  try {
    git(repo, 'merge-base', '--is-ancestor', ancestor, branch);
    return true;
  } catch {
    return false;
  }
};

function ctxFor(f: ForkFixture, graphite: Record<string, unknown> | undefined) {
  return stageContext(f.root, { repo: f.clone, trunk: TRUNK, ...(graphite ? { graphite } : {}) });
}
/** graphite.bin: the real gt, except that `gt sync` succeeds (a stand-in for Graphite's unreachable service). */
const syncOk = (f: ForkFixture) => ({ bin: syncStandInGt(join(f.root, 'bin')) });

describe('align: not configured', () => {
  it('without a graphite section says so plainly', async () => {
    const f = fork();
    const r = await alignStage(ctxFor(f, undefined));
    expect(r.status).toBe('not-configured');
    expect(r.summary).toMatch(/no "graphite" section/);
  });

  it('in a repo gt was never initialised in says so plainly', async () => {
    const f = fork();
    const r = await alignStage(ctxFor(f, {}));
    expect(r.status).toBe('not-configured');
    expect(r.summary).toMatch(/is not a Graphite repo.*gt init --trunk fork\/trunk/);
  });
});

describe('align: preconditions (exit 13)', () => {
  // What a user has when gt is not installed where the config says: a program name found neither on
  // PATH nor in any node_modules/.bin (PATH cut down to the system folders, as the doctor tests do),
  // or a path that does not exist. Either way the configured gt is never silently replaced by another.
  it.each([
    ['a program name that is not installed (restricted PATH)', 'gt-not-installed'],
    ['a relative path that does not exist', './no/such/gt'],
  ])('gt missing, graphite.bin is %s: E_GT_MISSING with the install hint, nothing run, nothing moved', async (_label, bin) => {
    const f = fork();
    initGraphiteStack(f.clone, TRUNK, STACK.slice(0, 1));
    rewriteTrunk(f);
    const before = tips(f.clone, ['a1', TRUNK]);
    const savedPath = process.env.PATH;
    process.env.PATH = '/usr/bin:/bin';
    let r;
    const ctx = ctxFor(f, { bin });
    try {
      r = await alignStage(ctx);
    } finally {
      process.env.PATH = savedPath;
    }
    expect(r).toMatchObject({ status: 'failed', outcome: 'graphite-failed' });
    expect(r.errors?.map((e) => e.code)).toEqual(['E_GT_MISSING']);
    expect(r.errors?.[0].details).toMatchObject({ configured: bin });
    expect(r.summary).toBe(`gt not found at graphite.bin "${bin}"; install the Graphite CLI with \`npm install --save-dev @withgraphite/graphite-cli\` in the workspace (or \`npm install -g @withgraphite/graphite-cli\`), or set graphite.bin in the config`);
    expect((r.data as unknown as AlignData).gt).toBeNull();
    // Not one gt call was made, and nothing moved.
    expect(ctx.commandLog.entries.filter((e) => !e.argv[0].endsWith('git'))).toEqual([]);
    expect(tips(f.clone, ['a1', TRUNK])).toEqual(before);
    expect(git(f.clone, 'status', '--porcelain')).toBe('');
  });

  it("Graphite's trunk differs from the configured trunk: names both", async () => {
    const f = fork();
    gtSync(f.clone, 'init', '--trunk', f.mirror);
    const r = await alignStage(ctxFor(f, syncOk(f)));
    expect(r).toMatchObject({ status: 'failed', outcome: 'graphite-failed' });
    expect(r.errors?.[0].code).toBe('E_GRAPHITE_TRUNK_MISMATCH');
    expect(r.summary).toContain('"main"');
    expect(r.summary).toContain('"fork/trunk"');
  });
});

describe('align: restack', () => {
  it('no descendants: restack skipped (scenario 7)', async () => {
    const f = fork();
    initGraphiteStack(f.clone, TRUNK, []);
    rewriteTrunk(f);
    const r = await alignStage(ctxFor(f, syncOk(f)));
    expect(r).toMatchObject({ status: 'ok', outcome: 'no-change', summary: 'no descendants; restack skipped' });
    expect((r.data as unknown as AlignData).sync?.ok).toBe(true);
    expect(r.warnings).toEqual([]);
  });

  it('a stack of three and two siblings are restacked onto the rewritten trunk and proven consistent (scenario 8)', async () => {
    const f = fork();
    initGraphiteStack(f.clone, TRUNK, STACK);
    const oldTrunk = git(f.clone, 'rev-parse', TRUNK);
    const newTrunk = rewriteTrunk(f);
    git(f.clone, 'checkout', '-q', 's1');
    const before = tips(f.clone, ['a1', 'a2', 'a3', 's1', 's2']);

    const r = await alignStage(ctxFor(f, syncOk(f)));
    expect(r.errors ?? []).toEqual([]);
    expect(r.status).toBe('ok');
    const data = r.data as unknown as AlignData;
    expect(data.restacked.sort()).toEqual(['a1', 'a2', 'a3', 's1', 's2']);
    expect(data.before.map((b) => `${b.branch}<-${b.parent}`).sort()).toEqual(['a1<-fork/trunk', 'a2<-a1', 'a3<-a2', 's1<-fork/trunk', 's2<-fork/trunk']);
    expect(data.before.find((b) => b.branch === 'a2')?.tip).toBe(before.a2);
    expect(data.after?.find((b) => b.branch === 'a2')?.tip).toBe(git(f.clone, 'rev-parse', 'a2'));
    expect(data.drift).toEqual([]);
    expect(data.publish.sort()).toEqual(['a1', 's1', 's2'].map((b) => `gt checkout ${b} && gt submit --stack --no-interactive`));
    expect(r.summary).toMatch(/restacked 5 of 5/);
    // Behaviour the user sees: every branch now sits on its parent's new tip, none carries the old trunk commit.
    for (const [b, p] of [['a1', TRUNK], ['a2', 'a1'], ['a3', 'a2'], ['s1', TRUNK], ['s2', TRUNK]]) expect(contains(f.clone, p, b)).toBe(true);
    for (const b of ['a1', 'a3', 's2']) expect(contains(f.clone, oldTrunk, b)).toBe(false);
    expect(git(f.clone, 'rev-parse', TRUNK)).toBe(newTrunk);
    expect(git(f.clone, 'symbolic-ref', '--short', 'HEAD')).toBe('s1');
    expect(git(f.clone, 'status', '--porcelain')).toBe('');
    // Nothing was pushed.
    expect(git(f.originBare, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/')).not.toMatch(/a1|s1/);
  });

  it('a restack conflict in the second branch of a stack is aborted: no rebase in progress, every tip restored, exit 13', async () => {
    const f = fork();
    initGraphiteStack(f.clone, TRUNK, [
      { name: 'a1', parent: TRUNK, files: { 'a1.txt': 'a1\n' } },
      { name: 'a2', parent: 'a1', files: { 'shared.txt': 'the stack says this\n' } },
      { name: 'a3', parent: 'a2', files: { 'a3.txt': 'a3\n' } },
      { name: 's1', parent: TRUNK, files: { 's1.txt': 's1\n' } },
    ]);
    rewriteTrunk(f, { 'shared.txt': 'upstream says that\n' });
    const names = ['a1', 'a2', 'a3', 's1', TRUNK];
    const before = tips(f.clone, names);

    const ctx = ctxFor(f, syncOk(f));
    const r = await alignStage(ctx);
    expect(r).toMatchObject({ status: 'failed', outcome: 'graphite-failed' });
    expect(r.errors?.[0].code).toBe('E_GRAPHITE_RESTACK_CONFLICT');
    expect(r.conflict).toMatchObject({ stage: 'align', branch: 'a2', files: ['shared.txt'] });
    expect(r.conflict?.patch?.subject).toBe('a2: work');
    expect(tips(f.clone, names)).toEqual(before);
    expect(existsSync(join(f.clone, '.git', 'rebase-merge'))).toBe(false);
    expect(git(f.clone, 'symbolic-ref', '--short', 'HEAD')).toBe(TRUNK);
    expect(git(f.clone, 'status', '--porcelain')).toBe('');
    // Graphite's own view is back too: the same tree, and a1 again "needs restack" (nothing half-done).
    const after = await discoverDescendants(boundRunner(new CommandLog()), f.clone, workspaceGt(), TRUNK, 60_000, join(f.clone, '.git', '.graphite_metadata.db'));
    expect(after.ok && after.tree.branches.map((b) => `${b.branch}<-${b.parent}`).sort()).toEqual(['a1<-fork/trunk', 'a2<-a1', 'a3<-a2', 's1<-fork/trunk']);
    // The plain-git reproduce lines really reproduce the conflict, without moving any branch.
    const lines = (r.conflict?.reproduce ?? []).filter((l) => l.startsWith('git -C'));
    expect(lines).toHaveLength(3);
    const argv = (l: string) => l.split(' ').slice(1).map((a) => a.replace(/^'|'$/g, ''));
    git(f.clone, ...argv(lines[0]).slice(2));
    const scratch = argv(lines[1])[1];
    expect(() => git(scratch, ...argv(lines[1]).slice(2))).toThrow();
    expect(git(scratch, 'diff', '--name-only', '--diff-filter=U')).toBe('shared.txt');
    git(scratch, 'rebase', '--abort');
    git(f.clone, ...argv(lines[2]).slice(2));
    expect(tips(f.clone, names)).toEqual(before);
  });

  it('a descendant checked out in another worktree is reported before anything is restacked', async () => {
    const f = fork();
    initGraphiteStack(f.clone, TRUNK, STACK.slice(0, 2));
    rewriteTrunk(f);
    const wt = join(f.root, 'other-wt');
    git(f.clone, 'worktree', 'add', '-q', wt, 'a2');
    const before = tips(f.clone, ['a1', 'a2']);
    const r = await alignStage(ctxFor(f, syncOk(f)));
    expect(r).toMatchObject({ status: 'failed', outcome: 'graphite-failed' });
    expect(r.errors?.[0].code).toBe('E_GRAPHITE_WORKTREE_BUSY');
    expect((r.data as unknown as AlignData).busyWorktrees).toEqual([{ branch: 'a2', path: wt }]);
    expect(r.summary).toContain(`a2 (${wt})`);
    expect(tips(f.clone, ['a1', 'a2'])).toEqual(before);
    expect(r.nextActions).toEqual([`git -C ${wt} switch --detach`]);
  });
});

describe('align: parentage drift', () => {
  it('verifyParentage names a branch whose recorded parent is no longer in its history, and the gt track line repairs it', async () => {
    const f = fork();
    initGraphiteStack(f.clone, TRUNK, STACK.slice(0, 2));
    // Someone moved a2 off a1 with plain git: Graphite still records a1 as its parent.
    git(f.clone, 'rebase', '-q', '--onto', TRUNK, 'a1', 'a2');
    git(f.clone, 'checkout', '-q', TRUNK);
    const run = boundRunner(new CommandLog());
    const found = await discoverDescendants(run, f.clone, workspaceGt(), TRUNK, 60_000, join(f.clone, '.git', '.graphite_metadata.db'));
    if (!found.ok) throw new Error('gt ls failed');
    const drift = await verifyParentage(run, f.clone, found.tree);
    expect(drift.map((d) => ({ branch: d.branch, parent: d.parent, actualParent: d.actualParent }))).toEqual([
      { branch: 'a2', parent: 'a1', actualParent: TRUNK },
    ]);
    expect(drift[0].recovery[0]).toBe(`gt track --parent ${TRUNK} a2`);
    // gt itself hides the diverged branch from `gt ls`; the metadata database still lists it.
    expect(found.tree.source).toBe('metadata-db');
    expect(found.tree.branches.find((b) => b.branch === 'a2')).toMatchObject({ needsRestack: true, validation: 'BAD_PARENT_REVISION' });

    gtSync(f.clone, ...drift[0].recovery[0].split(' ').slice(1));
    const again = await discoverDescendants(run, f.clone, workspaceGt(), TRUNK, 60_000, join(f.clone, '.git', '.graphite_metadata.db'));
    if (!again.ok) throw new Error('gt ls failed');
    expect(again.tree.branches.find((b) => b.branch === 'a2')?.parent).toBe(TRUNK);
    expect(await verifyParentage(run, f.clone, again.tree)).toEqual([]);
  });

  it('real gt restack skips a branch moved with plain git and still exits 0: exit 13 naming that branch, never a silent success', async () => {
    const f = fork();
    initGraphiteStack(f.clone, TRUNK, STACK.slice(0, 2));
    // Someone moved a2 off a1 with plain git before the run. gt 1.8.6 calls it "diverged from
    // Graphite's tracking", restacks a1 onto the rewritten trunk, leaves a2 where it is, and exits 0.
    git(f.clone, 'rebase', '-q', '--onto', TRUNK, 'a1', 'a2');
    const newTrunk = rewriteTrunk(f);
    const ctx = ctxFor(f, syncOk(f));
    const r = await alignStage(ctx);
    expect(ctx.commandLog.entries.find((e) => e.argv[1] === 'restack')).toMatchObject({ exitCode: 0, timedOut: false });
    expect(r).toMatchObject({ status: 'failed', outcome: 'graphite-failed' });
    expect(r.errors?.[0].code).toBe('E_GRAPHITE_PARENTAGE');
    const data = r.data as unknown as AlignData;
    expect(data.restacked).toEqual(['a1']);
    expect(data.drift.map((d) => ({ branch: d.branch, parent: d.parent }))).toEqual([{ branch: 'a2', parent: 'a1' }]);
    expect(r.summary).toContain('a2');
    expect(r.nextActions).toEqual(['gt restack --branch a2   # keep a1 as the parent and rebase onto it']);
    // What the report says is what git says: a1 is on the new trunk, a2 carries neither.
    expect(contains(f.clone, newTrunk, 'a1')).toBe(true);
    expect(contains(f.clone, git(f.clone, 'rev-parse', 'a1'), 'a2')).toBe(false);
    expect(contains(f.clone, newTrunk, 'a2')).toBe(false);
  });
});

describe('align: gt sync and timeouts', () => {
  it('real gt hanging in restack (a git hook that sleeps): the timeout is honoured, the hook killed, every branch and gt metadata restored', async () => {
    const f = fork();
    initGraphiteStack(f.clone, TRUNK, STACK.slice(0, 3));
    rewriteTrunk(f);
    const names = ['a1', 'a2', 'a3', TRUNK];
    const before = tips(f.clone, names);
    const metadataDb = join(f.clone, '.git', '.graphite_metadata.db');
    const recorded = async () => (await readBranchMetadata(metadataDb))?.filter((m) => m.parent).map((m) => `${m.branch}<-${m.parent}@${m.parentRevision}`).sort();
    const metadataBefore = await recorded();
    expect(metadataBefore?.map((m) => m.split('@')[0])).toEqual(['a1<-fork/trunk', 'a2<-a1', 'a3<-a2']);
    // gt 1.8.6 restacks branches that are not checked out in memory (per branch: git merge-tree,
    // commit-tree, update-ref; traced with GIT_TRACE): the one hook it passes through is
    // reference-transaction. This one hangs, once, when gt moves a2, after a1 is already restacked.
    const ran = join(f.root, 'hook-ran');
    const pidFile = join(f.root, 'hook.pid');
    installHook(f.clone, 'reference-transaction', [
      '[ "$1" = prepared ] || exit 0',
      "grep -q ' refs/heads/a2$' || exit 0",
      `mkdir '${ran}' 2>/dev/null || exit 0`,
      `echo $$ > '${pidFile}'`,
      'exec sleep 600',
    ].join('\n'));
    // Wide: gt must reach a2 before the timeout on a busy machine (it takes about 2 s when idle).
    const ctx = ctxFor(f, { ...syncOk(f), restackTimeoutSeconds: 20 });
    const r = await alignStage(ctx);

    // The hang was the hook's: it ran, and the seam's timeout ended the restack long before its 600 s sleep.
    expect(existsSync(ran)).toBe(true);
    const restack = ctx.commandLog.entries.find((e) => e.argv[1] === 'restack');
    expect(restack).toMatchObject({ timedOut: true });
    expect(restack!.durationMs).toBeLessThan(180_000);
    expect(r).toMatchObject({ status: 'failed', outcome: 'graphite-failed' });
    expect(r.errors?.[0].code).toBe('E_GRAPHITE_RESTACK_TIMEOUT');
    // The hook's sleep was killed with gt (the seam kills the command's whole process group).
    expect(await gone(Number(readFileSync(pidFile, 'utf8')))).toBe(true);
    // Every branch back (a1 had moved), gt's metadata with them, no rebase or ref lock left, start branch checked out.
    expect((r.data as { restore?: { resetBranches: string[] } }).restore).toMatchObject({ resetBranches: ['a1'], metadataRestored: true, restored: true });
    expect(tips(f.clone, names)).toEqual(before);
    // Graphite's records too: each branch's parent and the parent revision it is based on, as before.
    expect(await recorded()).toEqual(metadataBefore);
    for (const leftover of ['rebase-merge', 'rebase-apply', 'refs/heads/a2.lock']) expect(existsSync(join(f.clone, '.git', leftover)), leftover).toBe(false);
    expect(git(f.clone, 'symbolic-ref', '--short', 'HEAD')).toBe(TRUNK);
    expect(git(f.clone, 'status', '--porcelain')).toBe('');
  }, 240_000);

  // The real gt sync, offline, waits about 60 s for Graphite's service before failing
  // (sync.test.ts): with a 3 s timeout it is a real hanging sync.
  it('gt sync hanging (real gt, 3 s timeout), policy continue (default): warns and restacks locally', async () => {
    const f = fork();
    initGraphiteStack(f.clone, TRUNK, STACK.slice(0, 1));
    rewriteTrunk(f);
    const bin = workspaceGt();
    const ctx = ctxFor(f, { bin, syncTimeoutSeconds: 3 });
    const r = await alignStage(ctx);
    expect(r.status).toBe('ok');
    expect((r.data as unknown as AlignData).sync).toMatchObject({ ok: false, timedOut: true, policy: 'continue' });
    expect(r.warnings?.[0]).toMatch(/gt sync --no-restack failed \(gt sync timed out after 3s\); continuing/);
    expect((r.data as unknown as AlignData).restacked).toEqual(['a1']);
    const syncCall = ctx.commandLog.entries.find((e) => e.argv[1] === 'sync');
    expect(syncCall?.argv).toEqual([bin, 'sync', '--no-restack', '--no-interactive']);
    expect(syncCall?.timedOut).toBe(true);
  });

  it('gt sync hanging (real gt, 3 s timeout), policy stop: graphite-failed and nothing restacked', async () => {
    const f = fork();
    initGraphiteStack(f.clone, TRUNK, STACK.slice(0, 1));
    rewriteTrunk(f);
    const before = tips(f.clone, ['a1']);
    const r = await alignStage(ctxFor(f, { bin: workspaceGt(), syncTimeoutSeconds: 3, onSyncFailure: 'stop' }));
    expect(r).toMatchObject({ status: 'failed', outcome: 'graphite-failed' });
    expect(r.errors?.[0].code).toBe('E_GRAPHITE_SYNC_FAILED');
    expect(tips(f.clone, ['a1'])).toEqual(before);
  });

  it("gt sync succeeding (stand-in for Graphite's unreachable service; restack and ls are real gt): no warning", async () => {
    const f = fork();
    initGraphiteStack(f.clone, TRUNK, STACK.slice(0, 1));
    rewriteTrunk(f);
    const r = await alignStage(ctxFor(f, syncOk(f)));
    expect(r.status).toBe('ok');
    expect((r.data as unknown as AlignData).sync).toMatchObject({ ok: true, exitCode: 0, message: 'stand-in: synced' });
    expect(r.warnings).toEqual([]);
  });
});

