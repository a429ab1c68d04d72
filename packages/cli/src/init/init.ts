import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { boundRunner, CommandLog, excludeScratch, gitDir, parseConfig, errors, type ConfigInput, type ResolvedConfig, type Runner } from '@rebase-daily/core';
import { renderDocs } from '../docs/render-docs.js';
import { renderPrompt } from '../prompt/render-prompt.js';
import { installedBinary, workspaceRoot } from '../locate.js';
import { schedulerPath } from './scheduler-path.js';
import { detectFork, type Detected } from './detect.js';
import { scheduleFor, type Schedule } from './schedule.js';
import { writePlanned, type PlannedFile, type WrittenFile } from './write-files.js';

export interface InitOptions {
  /** The fork (default: cwd). */
  repo?: string;
  /** Where the config goes (default <repo>/rebase-daily.json). */
  configPath?: string;
  /** Where the docs go (default <repo>/docs/rebase-daily). */
  docsDir?: string;
  /** Where the prompt goes (default <docs-dir>/agent-prompt.md). */
  promptFile?: string;
  trunk?: string;
  force: boolean;
  cwd: string;
  cli: string;
  /** PATH the scheduler's tools are looked up on (default: this process's); only their folders go into the entries. */
  path?: string;
  /** The installed `rebase-daily` the scheduler entries run (default: this process's, if installed; null: none). */
  installed?: string | null;
  /** Override the workspace used for the scheduler entries (tests). */
  workspace?: string | null;
}

export interface InitResult {
  repo: string;
  configPath: string;
  config: ConfigInput;
  detected: Detected;
  files: WrittenFile[];
  /** Lines added to the repo's info/exclude (written files stay out of `git status`). */
  excluded: string[];
  changed: boolean;
  schedule: Schedule;
  warnings: string[];
}

/** The starter config for a detected fork (validated by core's parseConfig before anything is written). */
export function starterConfig(d: Detected, configPath: string, trunk: string): ConfigInput {
  const repoRel = relative(dirname(configPath), d.repo) || '.';
  const mirror = trunk === d.upstreamBranch ? 'main' : d.upstreamBranch;
  const config: ConfigInput = {
    repo: repoRel,
    trunk,
    mirror,
    upstreamBranch: d.upstreamBranch,
    remotes: { fork: d.fork, upstream: d.upstream },
  };
  if (d.graphiteTrunk) config.graphite = {};
  // A `test` recipe is the project's own definition of its tests (formatting already prefers `just fmt`).
  if (d.cargoWorkspace) config.validate = { cwd: d.cargoWorkspace, ...(d.justRecipes.includes('test') ? { test: ['just', 'test'] } : {}) };
  return config;
}

async function addExcludes(run: Runner, repo: string, paths: string[]): Promise<string[]> {
  const common = await gitDir(run, repo, '--git-common-dir');
  if (!common) return [];
  const exclude = join(common, 'info', 'exclude');
  const current = existsSync(exclude) ? readFileSync(exclude, 'utf8') : '';
  const have = new Set(current.split('\n').map((l) => l.trim()));
  const added: string[] = [];
  for (const p of paths) {
    const rel = relative(repo, p);
    if (rel.startsWith('..') || isAbsolute(rel)) continue;
    // A file the fork already tracks needs no exclude (and must not get one).
    const tracked = await run('git', ['ls-files', '--error-unmatch', '--', rel], { cwd: repo });
    if (tracked.exitCode === 0) continue;
    const line = `/${rel.split('\\').join('/')}`;
    if (!have.has(line)) added.push(line);
  }
  if (added.length) {
    mkdirSync(dirname(exclude), { recursive: true });
    appendFileSync(exclude, `${current.length && !current.endsWith('\n') ? '\n' : ''}# rebase-daily init (generated config, prompt and docs)\n${added.join('\n')}\n`);
  }
  return added;
}

/**
 * `rebase-daily init`: detect the fork, write a starter config (or keep a valid existing one),
 * render the prompt and the docs with its values, and describe the scheduler entries. Files that
 * exist with other content are refused (E_FILE_EXISTS, nothing written) unless `force`. Running it
 * twice changes nothing.
 */
export async function initFork(options: InitOptions): Promise<InitResult> {
  const run = boundRunner(new CommandLog());
  const start = resolve(options.cwd, options.repo ?? '.');
  const top = existsSync(start) ? await run('git', ['rev-parse', '--show-toplevel'], { cwd: start }) : null;
  if (!top || top.exitCode !== 0) throw errors.notARepo(start);
  const repo = top.stdout.trim();
  const detected = await detectFork(run, repo, options.trunk);
  const warnings: string[] = [];
  const configPath = resolve(options.cwd, options.configPath ?? join(repo, 'rebase-daily.json'));

  // A valid config already there is the user's: keep it and render from it (unless --force).
  let config: ResolvedConfig | null = null;
  let raw: ConfigInput | null = null;
  let keepConfig = false;
  if (existsSync(configPath) && !options.force) {
    try {
      const existing = JSON.parse(readFileSync(configPath, 'utf8')) as ConfigInput;
      const parsed = parseConfig(existing, configPath);
      if (parsed.ok) [config, raw, keepConfig] = [parsed.config, existing, true];
    } catch {
      // invalid JSON: a conflict below unless --force
    }
  }
  if (!config) {
    const trunk = detected.trunk;
    if (!trunk) throw errors.usage(`cannot tell the fork trunk: no Graphite trunk in .git/.graphite_repo_config and HEAD is ${detected.currentBranch ?? 'detached'}; pass --trunk BRANCH`);
    raw = starterConfig(detected, configPath, trunk);
    const parsed = parseConfig(raw, configPath);
    if (!parsed.ok) throw errors.configInvalid(parsed.errors);
    config = parsed.config;
  }
  if (!detected.upstreamRemoteExists) warnings.push(`no upstream remote yet: add it with \`git -C ${repo} remote add ${config.remotes.upstream} <upstream url>\``);
  if (detected.graphiteTrunk && detected.graphiteTrunk !== config.trunk) warnings.push(`Graphite's trunk is ${detected.graphiteTrunk}, the config's is ${config.trunk}: align will refuse until they agree`);
  if (!detected.cargoWorkspace && !config.validate)
    warnings.push('no Cargo.toml (a workspace or a crate) at the root or one folder down: validate is not configured, and each published day says "rebased, not validated: no validate section"');
  if (detected.workspaceVersion && !config.version)
    warnings.push(`the workspace version is ${detected.workspaceVersion}: to bump the fork version each day, add "version": { "manifest": "${join(config.validate?.cwd ?? '.', 'Cargo.toml')}", "suffix": "-fork.1" } (a fork-policy decision)`);

  const docsDir = resolve(options.cwd, options.docsDir ?? join(repo, 'docs', 'rebase-daily'));
  const promptFile = resolve(options.cwd, options.promptFile ?? join(docsDir, 'agent-prompt.md'));
  const render = { cli: options.cli };
  const planned: PlannedFile[] = [
    { path: configPath, content: `${JSON.stringify(raw, null, 2)}\n`, keepExisting: keepConfig },
    { path: promptFile, content: renderPrompt(config, render) },
    ...Object.entries(renderDocs(config, render)).map(([name, content]) => ({ path: join(docsDir, name), content })),
  ];
  const files = writePlanned(planned, options.force);
  const excluded = await addExcludes(run, repo, planned.map((f) => f.path));
  await excludeScratch(run, repo, config.scratchPath);
  const schedule = scheduleFor(config, {
    workspace: options.workspace === undefined ? workspaceRoot() : options.workspace,
    cli: options.cli,
    installed: options.installed === undefined ? installedBinary() : options.installed,
    path: schedulerPath(options.path ?? process.env.PATH),
  });
  return {
    repo,
    configPath,
    config: raw!,
    detected,
    files,
    excluded,
    changed: excluded.length > 0 || files.some((f) => f.action === 'created' || f.action === 'overwritten'),
    schedule,
    warnings,
  };
}

