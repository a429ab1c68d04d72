import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import {
  boundRunner,
  checkRepoPath,
  CommandLog,
  configBranchProblems,
  currentBranch,
  gitDir,
  isInside,
  listWorktrees,
  loadConfig,
  lockAge,
  lockDirFor,
  lsRemoteHeads,
  operationCommands,
  operationInProgress,
  parseGitVersion,
  lockHolderLiveness,
  pidAlive,
  readLockMeta,
  recordedOperationOwner,
  pushUrlProblem,
  readRemoteUrls,
  redactDeep,
  refNames,
  refsUnder,
  remoteExists,
  revParse,
  runPaths,
  scratchDirProblem,
  scratchDirRepoProblem,
  refuseLinkedWorktreeOperation,
  statusPorcelain,
  unfinishedTemporaries,
  type ResolvedConfig,
  type Runner,
} from '@rebase-daily/core';
import { readGraphiteRepo, resolveGt } from '@rebase-daily/graphite';
import { findStdbuf } from '@rebase-daily/git';
import { hasJustfile, resolveTool } from '@rebase-daily/cargo-validate';
import { cliModuleDir } from '../locate.js';
import { remoteLockLine, remoteLockStatus } from '../remote-lock-status.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

/** One preflight check: one line for a human, one object in `--json`. */
export interface DoctorCheck {
  name: string;
  status: CheckStatus;
  message: string;
  /** What to do about a warn or fail. */
  fix?: string;
  details?: Record<string, unknown>;
}

export interface DoctorResult {
  ok: boolean;
  configPath: string;
  repo: string | null;
  checks: DoctorCheck[];
}

export interface DoctorOptions {
  configPath?: string;
  repo?: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Timeout for each `git ls-remote`. */
  remoteTimeoutMs?: number;
}

/** The oldest git whose `merge-tree --write-tree` the engines rely on. */
export const MIN_GIT = [2, 38] as const;

/** A push URL that cannot be pushed to by accident (`git remote set-url --push upstream DISABLED`). */
export function pushUrlDisabled(url: string): boolean {
  return url.trim() === '' || /disabled|no[_-]?push|nopush|^none$|^\/dev\/null$/i.test(url.trim());
}

const fmtCmd = (argv: string[]) => `\`${argv.join(' ')}\``;

/**
 * Preflight without side effects: reads config, runs read-only git probes (`--version`,
 * `merge-tree --write-tree`, `ls-remote`, `worktree list`, `status`), resolves tools. Never
 * fetches, never writes a file, never touches the lock or leftovers.
 */
export async function runDoctor(options: DoctorOptions): Promise<DoctorResult> {
  const run = boundRunner(new CommandLog());
  const checks: DoctorCheck[] = [];
  const add = (c: DoctorCheck) => checks.push(c);
  const loaded = loadConfig({ configPath: options.configPath, repo: options.repo, cwd: options.cwd, env: options.env });
  const config = loaded.ok ? loaded.config : null;
  if (loaded.ok) add({ name: 'config', status: 'ok', message: `${loaded.config.configPath} is valid (trunk ${loaded.config.trunk}, repo ${loaded.config.repoPath})` });
  else
    add({
      name: 'config',
      status: 'fail',
      message: `${loaded.configPath}: ${loaded.errors.join('; ')}`,
      fix: loaded.notFound ? 'pass --config FILE, set REBASE_DAILY_CONFIG, or run `rebase-daily init` in the fork' : 'fix the fields named above (JSON Schema: packages/core/config.schema.json)',
    });

  const repo = config ? config.repoPath : null;
  // The run's own refusal (missing, a file, not a repository, not the top level), so the verdicts agree.
  const repoProblem = repo ? await checkRepoPath(run, repo).then(() => null, (err: Error) => err.message) : null;
  const gitCwd = repo && !repoProblem ? repo : options.cwd;
  const gitDirPath = repo && !repoProblem ? await gitDir(run, repo) : null;

  await checkGit(run, gitCwd, gitDirPath ? config : null, options.env, add);
  if (config && repo) {
    const scratchWhy = gitDirPath ? await scratchDirRepoProblem(run, config.scratchPath, repo) : scratchDirProblem(config.scratchPath, repo);
    if (scratchWhy) add({ name: 'scratch', status: 'fail', message: `"scratchDir" resolves to ${config.scratchPath}, ${scratchWhy}`, fix: 'use a path inside the repo (default ".scratch") or a dedicated directory' });
    else add({ name: 'scratch', status: 'ok', message: `${config.scratchPath}${isInside(config.scratchPath, repo) ? ' (inside the repo, excluded from git)' : ''}` });
    if (!gitDirPath) {
      add({ name: 'repo', status: 'fail', message: repoProblem ?? `${repo} is not a git repository`, fix: 'fix "repo" in the config or pass --repo DIR (the top level of the fork\'s clone)' });
    } else {
      await checkRepo(run, config, gitDirPath, add);
      await checkRemotes(run, config, options.remoteTimeoutMs ?? 30_000, add);
      await checkConfigBranches(run, config, options.remoteTimeoutMs ?? 30_000, add);
      await checkGraphite(run, config, options.env, add);
      checkValidateTools(config, options.env, options.cwd, add);
      checkLock(config, add);
      await checkRemoteLock(run, config, options.remoteTimeoutMs ?? 30_000, add);
      await checkLeftovers(run, config, add);
    }
  } else {
    for (const name of ['scratch', 'repo', 'remotes', 'config branches', 'gt', 'validate tools', 'lock', 'leftovers']) add({ name, status: 'skip', message: 'needs a valid config' });
  }
  // Remote URLs, lock holders and git's stderr end up in messages: nothing leaves doctor unredacted.
  return redactDeep({ ok: !checks.some((c) => c.status === 'fail'), configPath: loaded.ok ? loaded.config.configPath : loaded.configPath, repo, checks });
}

async function checkGit(run: Runner, cwd: string, config: ResolvedConfig | null, env: NodeJS.ProcessEnv, add: (c: DoctorCheck) => void): Promise<void> {
  const v = await run('git', ['--version'], { cwd });
  const version = v.exitCode === 0 ? parseGitVersion(v.stdout) : null;
  if (!version) {
    add({ name: 'git', status: 'fail', message: `git not found or unreadable version (${v.stderr.split('\n')[0] || v.stdout})`, fix: 'install git 2.38 or newer' });
    return;
  }
  const old = version[0] < MIN_GIT[0] || (version[0] === MIN_GIT[0] && version[1] < MIN_GIT[1]);
  if (old) {
    add({ name: 'git', status: 'fail', message: `git ${version.join('.')} is older than ${MIN_GIT.join('.')} (no \`merge-tree --write-tree\`)`, fix: 'install git 2.38 or newer' });
    return;
  }
  let feature = 'merge-tree --write-tree not probed (no repo)';
  if (config) {
    // A real probe: merging the trunk with itself writes nothing new (the tree already exists).
    const probe = await run('git', ['merge-tree', '--write-tree', config.trunk, config.trunk], { cwd: config.repoPath });
    if (probe.exitCode !== 0 && !/not a valid|unknown revision|not something we can merge/i.test(probe.stderr)) {
      add({ name: 'git', status: 'fail', message: `git ${version.join('.')}: \`git merge-tree --write-tree\` failed (${probe.stderr.split('\n')[0]})`, fix: 'install git 2.38 or newer' });
      return;
    }
    feature = probe.exitCode === 0 ? 'merge-tree --write-tree works' : 'merge-tree --write-tree available';
  }
  // Where stdbuf exists, the memory engine runs all of a day's merges through one merge-tree process.
  const stdbuf = findStdbuf(env.PATH ?? '');
  const merges = stdbuf ? `merges through one \`merge-tree --stdin\` (${stdbuf} -o0)` : 'no stdbuf on PATH: one merge-tree process per merge (same answers, slower)';
  add({ name: 'git', status: 'ok', message: `git ${version.join('.')}; ${feature}; ${merges}`, details: { version: version.join('.'), mergeProcess: stdbuf ? 'conversation' : 'one-per-merge' } });
}

async function checkRepo(run: Runner, config: ResolvedConfig, gitDirPath: string, add: (c: DoctorCheck) => void): Promise<void> {
  const repo = config.repoPath;
  const op = operationInProgress(gitDirPath);
  // A rebase a crashed run recorded is the next run's to abort; only one the user owns needs them.
  const crashed = op ? recordedOperationOwner(config, gitDirPath) : null;
  // The tool's own scratch dir is never the user's change: a first run killed before it wrote the
  // exclude line leaves it untracked, and the next run excludes it before looking.
  const scratchRel = isInside(config.scratchPath, repo) ? `${relative(repo, config.scratchPath).split('\\').join('/')}/` : null;
  const all = await statusPorcelain(run, repo);
  const dirty = all.filter((l) => !(scratchRel && l.startsWith('?? ') && (l.slice(3) === scratchRel || l.slice(3).startsWith(scratchRel))));
  const branch = await currentBranch(run, repo);
  // The run's own refusal of an operation stopped in a linked worktree on a branch it moves.
  const linked = op ? null : await refuseLinkedWorktreeOperation(run, config).then(() => null, (err: Error & { details?: Record<string, string> }) => err);
  if (op && crashed)
    add({ name: 'repo', status: 'warn', message: `a ${op} left by crashed run ${crashed} is in progress in ${repo}; the next run aborts it (it recorded starting it) — do not abort it by hand`, details: { operation: op, recordedBy: crashed } });
  else if (op) {
    const c = operationCommands(op, repo);
    add({ name: 'repo', status: 'fail', message: `a ${op} is in progress in ${repo}; rebase-daily did not start it and will not touch it`, fix: `finish it (\`${c.finish}\`) or abort it (\`${c.abort}\`)`, details: { operation: op, ...c } });
  } else if (linked?.details) {
    const { operation, finish, abort } = linked.details;
    add({ name: 'repo', status: 'fail', message: linked.message.split('; ')[0], fix: `finish it (\`${finish}\`) or abort it (\`${abort}\`)`, details: { operation, ...linked.details } });
  } else if (dirty.length)
    add({ name: 'repo', status: 'fail', message: `working tree of ${repo} has ${dirty.length} change(s): ${dirty.slice(0, 5).map((l) => l.slice(3)).join(', ')}`, fix: 'commit or stash them (an untracked file counts)', details: { files: dirty.map((l) => l.slice(3)) } });
  else if (!branch) add({ name: 'repo', status: 'warn', message: `${repo} is clean but HEAD is detached`, fix: `check out a branch, e.g. \`git -C ${repo} checkout ${config.trunk}\`` });
  else add({ name: 'repo', status: 'ok', message: `${repo} is clean, on ${branch}, no operation in progress${dirty.length !== all.length ? ` (the scratch dir ${scratchRel} is not excluded yet; the next run adds it to .git/info/exclude)` : ''}` });

  const refs = refNames(config);
  const trunk = await revParse(run, repo, refs.trunk);
  const mirror = await revParse(run, repo, refs.mirror);
  const upstream = await revParse(run, repo, refs.upstream);
  const missing = [!trunk && `trunk ${config.trunk}`, !mirror && `mirror ${config.mirror}`].filter(Boolean) as string[];
  if (missing.length) add({ name: 'branches', status: 'warn', message: `not a local branch: ${missing.join(', ')}`, fix: 'create them from the fork remote (the "config branches" check says whether they exist there)' });
  else if (!upstream) add({ name: 'branches', status: 'warn', message: `${config.remotes.upstream}/${config.upstreamBranch} not fetched yet`, fix: `the run fetches it; check "upstreamBranch" if this persists` });
  else add({ name: 'branches', status: 'ok', message: `trunk ${config.trunk} ${trunk!.slice(0, 12)}, mirror ${config.mirror} ${mirror!.slice(0, 12)}, ${config.remotes.upstream}/${config.upstreamBranch} ${upstream.slice(0, 12)} (as last fetched)` });
}

/**
 * The run's rule for the branches the config names (core `configBranchProblems`), against the
 * remotes as they are now (`ls-remote`; the last fetch when a remote cannot be listed).
 */
async function checkConfigBranches(run: Runner, config: ResolvedConfig, timeoutMs: number, add: (c: DoctorCheck) => void): Promise<void> {
  const repo = config.repoPath;
  for (const name of [config.remotes.fork, config.remotes.upstream]) {
    if (!(await remoteExists(run, repo, name))) {
      add({ name: 'config branches', status: 'skip', message: `needs the remote "${name}" (see its check)` });
      return;
    }
  }
  const remoteHeads = async (remote: string) => (await lsRemoteHeads(run, repo, remote, timeoutMs)) ?? (await refsUnder(run, repo, `refs/remotes/${remote}/`));
  const known = { local: await refsUnder(run, repo, 'refs/heads/'), fork: await remoteHeads(config.remotes.fork), upstream: await remoteHeads(config.remotes.upstream) };
  const problems = configBranchProblems(config, known);
  if (!problems.length) add({ name: 'config branches', status: 'ok', message: `trunk ${config.trunk} and mirror ${config.mirror} exist, ${config.upstreamBranch} exists on ${config.remotes.upstream}` });
  for (const p of problems) add({ name: 'config branches', status: 'fail', message: p.message, fix: `fix "${String(p.details.field)}" in the config`, details: p.details });
}

async function checkRemotes(run: Runner, config: ResolvedConfig, timeoutMs: number, add: (c: DoctorCheck) => void): Promise<void> {
  const repo = config.repoPath;
  const urls: Record<string, { fetch: string; push: string }> = {};
  for (const [role, name, branch] of [
    ['fork', config.remotes.fork, config.trunk],
    ['upstream', config.remotes.upstream, config.upstreamBranch],
  ] as const) {
    const check = `remote ${role} (${name})`;
    if (!(await remoteExists(run, repo, name))) {
      add({ name: check, status: 'fail', message: `git remote "${name}" does not exist`, fix: `\`git -C ${repo} remote add ${name} <url>\`, or set remotes.${role} in the config` });
      continue;
    }
    const fetchUrl = (await run('git', ['remote', 'get-url', name], { cwd: repo })).stdout.trim();
    const pushUrl = (await run('git', ['remote', 'get-url', '--push', name], { cwd: repo })).stdout.trim();
    urls[role] = { fetch: fetchUrl, push: pushUrl };
    const ls = await run('git', ['ls-remote', '--heads', name, `refs/heads/${branch}`], { cwd: repo, timeoutMs });
    if (ls.exitCode !== 0) {
      add({ name: check, status: 'fail', message: `\`git ls-remote ${name}\` ${ls.timedOut ? `timed out after ${timeoutMs / 1000} s` : `failed: ${ls.stderr.split('\n')[0]}`}`, fix: 'check the URL, the network and the credentials of the scheduler environment' });
    } else if (!ls.stdout.trim()) {
      add({ name: check, status: role === 'upstream' ? 'fail' : 'warn', message: `${name} is reachable but has no branch ${branch}`, fix: role === 'upstream' ? 'fix "upstreamBranch" in the config' : `push ${branch} to ${name} once (\`git push -u ${name} ${branch}\`)` });
    } else add({ name: check, status: 'ok', message: `${name} reachable, ${branch} at ${ls.stdout.split('\t')[0].slice(0, 12)}`, details: { url: fetchUrl, pushUrl } });
  }
  const up = urls.upstream;
  if (!up) {
    add({ name: 'upstream push URL', status: 'skip', message: 'no upstream remote' });
    return;
  }
  // The same definition the preflight of every run refuses with (E_CONFIG, exit 2).
  const problem = pushUrlProblem(config, await readRemoteUrls(run, config));
  if (problem) add({ name: 'upstream push URL', status: 'fail', message: problem.message, details: { code: problem.code, ...problem.details } });
  else if (pushUrlDisabled(up.push)) add({ name: 'upstream push URL', status: 'ok', message: `pushing to ${config.remotes.upstream} is disabled (push URL "${up.push}")` });
  else
    add({
      name: 'upstream push URL',
      status: 'warn',
      message: `${config.remotes.upstream} can be pushed to (push URL ${up.push}); rebase-daily never does, but a human in this clone could`,
      fix: `\`git -C ${config.repoPath} remote set-url --push ${config.remotes.upstream} no_push\``,
    });
}

async function checkGraphite(run: Runner, config: ResolvedConfig, env: NodeJS.ProcessEnv, add: (c: DoctorCheck) => void): Promise<void> {
  if (!config.graphite) {
    add({ name: 'gt', status: 'skip', message: 'no "graphite" section: align reports not-configured' });
    return;
  }
  const gt = resolveGt({ bin: config.graphite.bin, baseDir: dirname(config.configPath), pathEnv: env.PATH ?? '', searchFrom: [config.repoPath, cliModuleDir()] });
  if (!gt) {
    add({
      name: 'gt',
      status: 'fail',
      message: config.graphite.bin ? `graphite.bin "${config.graphite.bin}" is not an executable` : 'gt not found on PATH or in node_modules/.bin',
      fix: 'install the Graphite CLI (`npm install --save-dev @withgraphite/graphite-cli`) or fix graphite.bin in the config',
    });
    return;
  }
  const version = await run(gt.path, ['--version'], { cwd: config.repoPath, timeoutMs: 30_000, env: { GRAPHITE_DISABLE_UPGRADE_PROMPT: '1', NO_COLOR: '1' } });
  const repoConfig = await readGraphiteRepo(run, config.repoPath);
  const where = `${gt.path} (${gt.source})${version.exitCode === 0 ? `, version ${version.stdout.trim().split('\n')[0]}` : ''}`;
  if (!repoConfig) add({ name: 'gt', status: 'warn', message: `gt ${where}, but ${config.repoPath} is not a Graphite repo: align reports not-configured`, fix: `\`gt init --trunk ${config.trunk}\` in the repo to use Graphite` });
  else if (repoConfig.trunk !== config.trunk)
    add({ name: 'gt', status: 'fail', message: `Graphite's trunk is "${repoConfig.trunk}", the config's trunk is "${config.trunk}"`, fix: `fix "trunk" in the config, or \`gt init --trunk ${config.trunk}\`` });
  else add({ name: 'gt', status: 'ok', message: `gt ${where}; Graphite trunk ${repoConfig.trunk}` });
}

function checkValidateTools(config: ResolvedConfig, env: NodeJS.ProcessEnv, cwd: string, add: (c: DoctorCheck) => void): void {
  const v = config.validate;
  if (!v) {
    add({ name: 'validate tools', status: 'skip', message: 'no "validate" section: validate reports not-configured' });
    return;
  }
  const workdir = resolve(config.repoPath, v.cwd);
  const programs = new Set<string>(['cargo', v.test[0], ...v.extraSteps.map((s) => s.command[0])]);
  if (Array.isArray(v.format)) programs.add(v.format[0]);
  else if (v.format === undefined && [workdir, config.repoPath].some(hasJustfile)) programs.add('just');
  const found: string[] = [];
  const missing: string[] = [];
  // Exactly where the validate stage looks (PATH, then node_modules/.bin above the repo and above
  // the current directory), so doctor's verdict is the run's.
  for (const p of programs) (resolveTool(p, { path: env.PATH ?? '', searchDirs: [config.repoPath, cwd] }) ? found : missing).push(p);
  if (!existsSync(workdir)) add({ name: 'validate tools', status: 'fail', message: `validate.cwd ${workdir} does not exist`, fix: 'fix validate.cwd in the config' });
  else if (missing.length)
    add({ name: 'validate tools', status: 'fail', message: `not found: ${missing.join(', ')} (found: ${found.join(', ') || 'none'})`, fix: `put them on PATH (the scheduler's too), or run from a folder whose node_modules/.bin has them (the rebase-daily workspace has just): \`npm i -D rust-just\` provides just, rustup provides cargo` });
  else add({ name: 'validate tools', status: 'ok', message: `${found.join(', ')} found; tests: ${fmtCmd(v.test)} in ${v.cwd}` });
}

function checkLock(config: ResolvedConfig, add: (c: DoctorCheck) => void): void {
  const lockDir = lockDirFor(config.scratchPath);
  if (!existsSync(lockDir)) {
    add({ name: 'lock', status: 'ok', message: `free (${lockDir})` });
    return;
  }
  const meta = readLockMeta(lockDir);
  const { ageHours, stale } = lockAge(lockDir, meta, config.lock.staleAfterHours);
  const liveness = meta ? lockHolderLiveness(meta) : null;
  const alive = meta?.manual ? pidAlive(meta.ownerPid ?? meta.pid, meta.hostname) : (liveness?.alive ?? null);
  const who = meta ? `run ${meta.runId} (pid ${meta.ownerPid ?? meta.pid} on ${meta.hostname}) since ${meta.startedAt}` : 'an unknown run (no meta.json)';
  const details = { path: lockDir, holder: meta, ageHours, pidAlive: alive, stale };
  // A run that died on this host is no obstacle: the next run takes its lock over (and reports it).
  if (meta && !meta.manual && liveness?.alive === false)
    add({ name: 'lock', status: 'warn', message: `held by ${who}, whose process is dead (${liveness.reason}); the next run takes it over`, fix: '`rebase-daily unlock` removes it now', details });
  else if (alive === true) add({ name: 'lock', status: 'warn', message: `held by ${who}, which is running`, fix: 'wait for it to finish', details });
  else if (stale)
    add({ name: 'lock', status: 'fail', message: `stale lock held by ${who}${alive === false ? ', not running' : ''} (${ageHours.toFixed(1)} h)`, fix: 'a human who checked the holder is gone reruns with FORCE_STALE_LOCK=1 (recorded in the report)', details });
  else
    add({
      name: 'lock',
      status: 'fail',
      message: `held by ${who}${alive === false ? ', which is not running (crashed run?)' : alive === null ? ' on another host' : ''}`,
      fix: `it becomes stale after ${config.lock.staleAfterHours} h (then FORCE_STALE_LOCK=1); or, after checking the holder is gone, remove ${lockDir} by hand`,
      details,
    });
}

async function checkLeftovers(run: Runner, config: ResolvedConfig, add: (c: DoctorCheck) => void): Promise<void> {
  const repo = config.repoPath;
  const wtRoot = resolve(runPaths(config.scratchPath).worktrees);
  // What crashed runs recorded and never undid: the next run undoes exactly these, under the lock.
  const recorded = unfinishedTemporaries(config.scratchPath).flatMap(({ runId, temporaries }) => temporaries.map((t) => ({ ...t, runId })));
  const isRecorded = (kind: string, path: string) => recorded.some((t) => t.kind === kind && (kind === 'branch' ? t.path === path : resolve(t.path) === resolve(path)));
  const found = recorded.filter((t) => t.kind !== 'operation' || existsSync(t.path)).map((t) => `${t.kind === 'operation' ? 'rebase started' : `temporary ${t.kind}`} ${t.path} (run ${t.runId})`);
  // Look-alikes no run recorded (a name under <scratch>/worktrees or rebase-daily/…) are not ours to remove.
  const foreign: string[] = [];
  for (const wt of await listWorktrees(run, repo)) {
    const p = resolve(wt.path);
    if (p.startsWith(`${wtRoot}/`) && !isRecorded('worktree', p)) foreign.push(`worktree ${p}`);
  }
  if (existsSync(wtRoot)) for (const name of readdirSync(wtRoot)) if (!isRecorded('worktree', join(wtRoot, name)) && !foreign.includes(`worktree ${join(wtRoot, name)}`)) foreign.push(`directory ${join(wtRoot, name)}`);
  const branches = await run('git', ['for-each-ref', '--format=%(refname:short)', 'refs/heads/rebase-daily/'], { cwd: repo });
  for (const b of branches.stdout.split('\n').filter(Boolean)) if (!isRecorded('branch', b)) foreign.push(`branch ${b}`);
  const active = runPaths(config.scratchPath).activeRun;
  if (existsSync(active) && !existsSync(lockDirFor(config.scratchPath))) found.push(`active-run pointer ${active} without a lock`);
  const lockHeldByLive = existsSync(lockDirFor(config.scratchPath)) && (() => {
    const meta = readLockMeta(lockDirFor(config.scratchPath));
    return meta ? pidAlive(meta.ownerPid ?? meta.pid, meta.hostname) === true : false;
  })();
  const details = { found, foreign };
  if (!found.length && !foreign.length) add({ name: 'leftovers', status: 'ok', message: 'no temporaries recorded by an unfinished run, no look-alikes' });
  else if (lockHeldByLive) add({ name: 'leftovers', status: 'ok', message: `${found.length + foreign.length} temporary item(s) belong to the running run`, details });
  else {
    const parts = [
      found.length ? `recorded by crashed run(s), the next run undoes them: ${found.slice(0, 4).join('; ')}${found.length > 4 ? `; and ${found.length - 4} more` : ''}` : '',
      foreign.length ? `not recorded by any run, so rebase-daily leaves them alone: ${foreign.slice(0, 4).join('; ')}${foreign.length > 4 ? `; and ${foreign.length - 4} more` : ''}` : '',
    ].filter(Boolean);
    add({
      name: 'leftovers',
      status: 'warn',
      message: parts.join('. '),
      fix: foreign.length ? 'remove the unrecorded ones yourself if they are yours (`git worktree remove`, `git branch -D`); the recorded ones need nothing' : 'nothing to do: the next run undoes them and lists them in .leftovers',
      details,
    });
  }
}

/** The fork remote's lock (config lock.remote): free, or who holds it — a held lock makes the next run exit 15. */
async function checkRemoteLock(run: Runner, config: ResolvedConfig, timeoutMs: number, add: (c: DoctorCheck) => void): Promise<void> {
  const s = await remoteLockStatus(run, config, timeoutMs);
  if (!s) return;
  if (s.problem) add({ name: 'remote lock', status: 'warn', message: remoteLockLine(s), fix: `check that ${s.remote} is reachable` });
  else if (s.held) add({ name: 'remote lock', status: 'warn', message: remoteLockLine(s), fix: 'wait for that run; the next run exits 15 while it holds the lock', details: { ref: s.ref, sha: s.sha, holder: s.holder } });
  else add({ name: 'remote lock', status: 'ok', message: remoteLockLine(s) });
}
