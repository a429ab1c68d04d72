import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { minimatch } from 'minimatch';
import { FORK_TAG, forkProjectName, forkTargets } from './fork-project.js';
import { CONFIG_FILE_PATTERN, parseForkPluginOptions, type ForkPluginOptions } from './plugin-options.js';

export { ForkPluginOptionsSchema, forkPluginOptionsJsonSchema, parseForkPluginOptions, FORK_TAG, CONFIG_FILE_PATTERN, type ForkPluginOptions } from './plugin-options.js';
export { forkTargets, forkProjectName, PIPELINE_PACKAGES, type ForkProjectInput, type InferredTarget } from './fork-project.js';

/** Folders whose config files are never forks: installed packages and run scratch space. */
const EXCLUDED_SEGMENTS = new Set(['node_modules', '.scratch', '.rebase-daily', '.nx', 'dist']);

interface Context {
  workspaceRoot: string;
}

type ProjectResult = { projects: Record<string, { name: string; root: string; tags: string[]; projectType: 'application'; targets: Record<string, unknown>; metadata: Record<string, unknown> }> };

function readName(file: string): string | undefined {
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown };
    return typeof raw.name === 'string' && raw.name ? raw.name : undefined;
  } catch {
    return undefined; // a broken config still becomes a project: its run says what is wrong (exit 2)
  }
}

/** `node <cargo-validate>/bin/tree-hash.mjs`, workspace-relative when the package lives in the workspace. */
function treeHashCommand(workspaceRoot: string): string {
  const req = createRequire(join(workspaceRoot, 'package.json'));
  let pkg: string;
  try {
    pkg = dirname(req.resolve('@rebase-daily/cargo-validate/package.json'));
  } catch {
    pkg = dirname(createRequire(__filename).resolve('@rebase-daily/cargo-validate/package.json'));
  }
  const script = join(pkg, 'bin', 'tree-hash.mjs');
  const rel = relative(workspaceRoot, script);
  return `node ${JSON.stringify(rel.startsWith('..') || isAbsolute(rel) ? script : rel.split(sep).join('/'))}`;
}

function isRebaseDailyWorkspace(workspaceRoot: string): boolean {
  const file = join(workspaceRoot, 'packages', 'cli', 'package.json');
  try {
    return existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === '@rebase-daily/cli';
  } catch {
    return false;
  }
}

/** The config REBASE_DAILY_CONFIG names when it lives outside the workspace (a fork cron runs from elsewhere). */
function externalConfig(workspaceRoot: string, env: NodeJS.ProcessEnv): string | null {
  const named = env.REBASE_DAILY_CONFIG;
  if (!named) return null;
  const abs = resolve(workspaceRoot, named);
  const rel = relative(workspaceRoot, abs);
  return (rel.startsWith('..') || isAbsolute(rel)) && existsSync(abs) ? abs : null;
}

/**
 * The projects of a workspace's forks: one per config file the glob selects (outside node_modules
 * and scratch dirs), plus the config REBASE_DAILY_CONFIG names when that lives outside the workspace.
 */
export function inferForkProjects(files: readonly string[], options: ForkPluginOptions, context: Context, env: NodeJS.ProcessEnv = process.env): Array<readonly [string, ProjectResult]> {
  const configs = files.filter((f) => !f.split('/').some((s) => EXCLUDED_SEGMENTS.has(s)) && minimatch(f, options.configGlob, { dot: true }));
  const external = externalConfig(context.workspaceRoot, env);
  // The fork REBASE_DAILY_CONFIG names is this invocation's: it takes `rebase` (or its own name),
  // and the workspace's forks, now more than one, take their folder names.
  const count = configs.length + (external ? 1 : 0);
  const treeHash = treeHashCommand(context.workspaceRoot);
  const buildFirst = isRebaseDailyWorkspace(context.workspaceRoot);
  const project = (configFile: string, root: string, name: string) => ({
    name,
    root,
    tags: [FORK_TAG],
    projectType: 'application' as const,
    targets: forkTargets({ configFile, name, options, treeHashCommand: treeHash, buildFirst }) as Record<string, unknown>,
    metadata: { description: `rebase-daily fork (${configFile})`, rebaseDaily: { config: configFile } },
  });
  const results: Array<readonly [string, ProjectResult]> = configs.map((file) => {
    const name = forkProjectName(file, readName(join(context.workspaceRoot, file)), count);
    const root = dirname(file);
    return [file, { projects: { [root]: project(file, root, name) } }] as const;
  });
  if (external) {
    const name = readName(external) ?? 'rebase';
    // A project needs a root inside the workspace that Nx knows files of (its task hasher refuses a
    // project without): the workspace root, which no other project claims here. Its targets take no
    // file inputs, so owning the workspace's loose files changes no hash.
    const root = '.';
    results.push(['nx.json', { projects: { [root]: project(external, root, name) } }] as const);
  }
  return results;
}

/**
 * Nx plugin: `{ "plugin": "@rebase-daily/cli/plugin", "options": { "configGlob": "…", "targetPrefix": "" } }`.
 * nx.json is in the pattern so a fork named only by REBASE_DAILY_CONFIG is found in a workspace with no config file.
 */
export const createNodesV2 = [
  `{${CONFIG_FILE_PATTERN},nx.json}`,
  (files: readonly string[], rawOptions: unknown, context: Context) =>
    inferForkProjects(
      files.filter((f) => f !== 'nx.json'),
      parseForkPluginOptions(rawOptions),
      context,
    ),
] as const;

export const name = '@rebase-daily/cli/plugin';
