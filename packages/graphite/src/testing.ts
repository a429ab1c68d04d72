import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureGitEnv, git, writeFile } from '@rebase-daily/core/testing';
import { GT_ENV, resolveGt } from './gt-bin.js';

export interface StackBranch {
  name: string;
  parent: string;
  /** Files of the branch's one commit. */
  files: Record<string, string>;
}

/** The gt this workspace ships (node_modules/.bin/gt), or throw: fixtures must be exact. */
export function workspaceGt(): string {
  const found = resolveGt({ pathEnv: '' });
  if (!found) throw new Error('gt not found in node_modules/.bin; run npm install in the workspace');
  return found.path;
}

/** Run real gt in a fixture; throws with its output on failure. Callers set HOME to a temp dir first. */
export function gtSync(repo: string, ...args: string[]): string {
  return execFileSync(workspaceGt(), [...args, '--no-interactive'], {
    cwd: repo,
    env: { ...process.env, ...fixtureGitEnv, ...GT_ENV, GRAPHITE_DISABLE_TELEMETRY: '1' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * Make `repo` a Graphite repo with `trunk` as Graphite's trunk (when it is not one yet) and create
 * each branch with real `gt create` on its parent, one commit each, in the order given (parents
 * first). Ends with the trunk checked out. Set HOME to a temp dir before calling, so gt's user
 * config and caches do not leak in or out.
 */
export function initGraphiteStack(repo: string, trunk: string, branches: StackBranch[]): void {
  try {
    git(repo, 'rev-parse', '--verify', '--quiet', `refs/heads/${trunk}`);
  } catch {
    throw new Error(`initGraphiteStack: trunk ${trunk} does not exist in ${repo}`);
  }
  const common = git(repo, 'rev-parse', '--path-format=absolute', '--git-common-dir');
  if (!existsSync(join(common, '.graphite_repo_config'))) gtSync(repo, 'init', '--trunk', trunk);
  for (const b of branches) {
    git(repo, 'checkout', '-q', b.parent);
    for (const [path, content] of Object.entries(b.files)) {
      writeFile(repo, path, content);
      git(repo, 'add', '--', path);
    }
    gtSync(repo, 'create', b.name, '-m', `${b.name}: work`);
  }
  git(repo, 'checkout', '-q', trunk);
}
