import { parseGitVersion, type Runner } from '@rebase-daily/core';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { EngineCallOptions } from './queue.js';

export type EngineName = 'memory' | 'worktree';
export type EngineSetting = 'auto' | EngineName;

export interface EngineSupport {
  supported: boolean;
  /** Why the in-memory engine cannot match `git rebase` here (empty when supported). */
  reasons: string[];
  gitVersion: string | null;
}

export interface EngineChoice {
  engine: EngineName;
  /** Set when `auto` fell back to the worktree engine, or `memory` was forced despite a reason. */
  note?: string;
}

function truthy(value: string | undefined): boolean {
  return value !== undefined && ['true', 'yes', 'on', '1', ''].includes(value.trim().toLowerCase());
}

/** Parse `git config --get-regexp` output into key → last value (later config wins, as in git). */
export function parseConfigList(stdout: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    if (!line) continue;
    const sp = line.indexOf(' ');
    map.set((sp === -1 ? line : line.slice(0, sp)).toLowerCase(), sp === -1 ? '' : line.slice(sp + 1));
  }
  return map;
}

/** Lines of an attributes file that set a merge driver or unset merging (`merge=x`, `-merge`, `binary`). */
export function mergeAttributeLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .filter((l) => l.split(/\s+/).slice(1).some((a) => /^(-|!)?merge(=|$)/.test(a) || a === 'binary'));
}

/**
 * Detect where the in-memory engine cannot match `git rebase`: git older than 2.38 (no
 * `merge-tree --write-tree`), rerere with recorded resolutions (rebase would reuse them), merge
 * drivers configured or merge attributes in `.gitattributes` (2.39's merge-tree reads attributes from
 * the main worktree, rebase from the rebased tree), and commit signing (rebase would sign).
 * `revs` are the commits whose `.gitattributes` files matter (trunk and the upstream target).
 */
export async function engineSupport(run: Runner, repo: string, options: EngineCallOptions & { revs?: string[] } = {}): Promise<EngineSupport> {
  const call = { cwd: repo, env: options.env, timeoutMs: options.timeoutMs };
  const reasons: string[] = [];
  const v = await run('git', ['version'], call);
  const version = parseGitVersion(v.stdout);
  if (!version || version[0] < 2 || (version[0] === 2 && version[1] < 38)) reasons.push(`git ${version ? version.join('.') : 'version unknown'} is older than 2.38 (no merge-tree --write-tree)`);

  const c = await run('git', ['config', '--get-regexp', '^(rerere\\.enabled|commit\\.gpgsign|merge\\..*\\.driver|core\\.attributesfile)$'], call);
  const config = parseConfigList(c.exitCode === 0 ? c.stdout : '');
  if (truthy(config.get('commit.gpgsign'))) reasons.push('commit.gpgsign is set: rebase signs the commits it creates');
  const drivers = [...config.keys()].filter((k) => /^merge\..*\.driver$/.test(k)).map((k) => k.slice('merge.'.length, -'.driver'.length));
  if (drivers.length) reasons.push(`custom merge driver(s) configured: ${drivers.join(', ')}`);

  const common = await run('git', ['rev-parse', '--git-common-dir'], call);
  if (common.exitCode === 0) {
    const dir = common.stdout.trim();
    const gitDir = isAbsolute(dir) ? dir : resolve(repo, dir);
    const rrCache = join(gitDir, 'rr-cache');
    const rerereSetting = config.get('rerere.enabled');
    // Unset rerere.enabled means "on if rr-cache exists" (git's rule).
    const rerereOn = rerereSetting === undefined ? existsSync(rrCache) : truthy(rerereSetting);
    if (rerereOn && existsSync(rrCache) && readdirSync(rrCache).length > 0) reasons.push('rerere is enabled with recorded resolutions: rebase would replay them');
    const infoAttributes = join(gitDir, 'info', 'attributes');
    if (existsSync(infoAttributes) && mergeAttributeLines(readFileSync(infoAttributes, 'utf8')).length) reasons.push('info/attributes sets merge attributes');
  }
  const attributesFile = config.get('core.attributesfile');
  if (attributesFile) {
    const path = attributesFile.replace(/^~(?=\/)/, process.env.HOME ?? '~');
    if (existsSync(path) && mergeAttributeLines(readFileSync(path, 'utf8')).length) reasons.push(`core.attributesFile ${attributesFile} sets merge attributes`);
  }
  const revs = options.revs?.length ? options.revs : ['HEAD'];
  // `*` in a plain pathspec crosses directories, so this finds every .gitattributes in the trees.
  const g = await run('git', ['grep', '-I', '-n', '-E', '(^|[[:space:]])([-!]?merge([=[:space:]]|$)|binary([[:space:]]|$))', ...revs, '--', '*.gitattributes'], call);
  if (g.exitCode === 0 && g.stdout.trim()) {
    const where = [...new Set(g.stdout.split('\n').filter(Boolean).map((l) => l.split(':').slice(1, 2)[0]))];
    reasons.push(`.gitattributes sets merge attributes (${where.join(', ')}): merge-tree and rebase read them from different trees`);
  }
  return { supported: reasons.length === 0, reasons, gitVersion: version ? version.join('.') : null };
}

/** Pick the engine for a run from the `engine` config key and the support probe. */
export function selectEngine(setting: EngineSetting, support: EngineSupport): EngineChoice {
  if (setting === 'worktree') return { engine: 'worktree' };
  if (setting === 'memory') {
    return support.supported ? { engine: 'memory' } : { engine: 'memory', note: `engine "memory" forced although it may differ from git rebase: ${support.reasons.join('; ')}` };
  }
  return support.supported ? { engine: 'memory' } : { engine: 'worktree', note: `fell back to the worktree engine: ${support.reasons.join('; ')}` };
}
