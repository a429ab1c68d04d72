import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import { errors, loadConfig, type Runner } from '@rebase-daily/core';
import { writePlanned, type WrittenFile } from './write-files.js';

/** One fork of the fleet, as the workflow's matrix lists it. */
export interface WorkflowFork {
  /** The Nx project name (`--project`). */
  fork: string;
  /** Where its reports land, relative to the workspace (uploaded as an artifact). */
  reports: string;
}

/**
 * A scheduled GitHub Actions workflow for the fleet: one matrix job per fork (fail-fast off, so one
 * fork failing never cancels another), a concurrency group per fork (no two runs of one fork
 * overlap; a queued run waits instead of cancelling the running one), each fork's reports uploaded
 * as an artifact whatever the outcome.
 */
export function githubWorkflow(forks: readonly WorkflowFork[], options: { cron?: string } = {}): string {
  const workflow = {
    name: 'rebase-daily',
    on: { schedule: [{ cron: options.cron ?? '17 5 * * *' }], workflow_dispatch: {} },
    permissions: { contents: 'read' },
    jobs: {
      daily: {
        name: 'daily (${{ matrix.fork }})',
        'runs-on': 'ubuntu-latest',
        strategy: { 'fail-fast': false, matrix: { include: forks.map((f) => ({ fork: f.fork, reports: f.reports })) } },
        concurrency: { group: 'rebase-daily-${{ matrix.fork }}', 'cancel-in-progress': false },
        'timeout-minutes': 180,
        steps: [
          { uses: 'actions/checkout@v4' },
          { uses: 'actions/setup-node@v4', with: { 'node-version': 20, cache: 'npm' } },
          { run: 'npm ci --no-audit --no-fund' },
          { name: 'rebase-daily', run: 'node tools/rebase/daily.mjs --project "${{ matrix.fork }}"' },
          { name: 'reports', if: 'always()', uses: 'actions/upload-artifact@v4', with: { name: 'rebase-daily-${{ matrix.fork }}', path: '${{ matrix.reports }}', 'if-no-files-found': 'warn' } },
        ],
      },
    },
  };
  return `# Written by \`rebase-daily init --ci github\` from the forks Nx infers (tag rebase-fork).\n# Each fork's clone must exist on the runner at the path its rebase-daily.json names.\n${stringify(workflow, { lineWidth: 0 })}`;
}

/** The forks Nx infers in a workspace (tag rebase-fork): project name and its reports folder. */
export async function inferredForks(run: Runner, workspace: string, env: NodeJS.ProcessEnv): Promise<WorkflowFork[]> {
  const dir = mkdtempSync(join(tmpdir(), 'rebase-daily-ci-'));
  try {
    const file = join(dir, 'graph.json');
    const nxEnv: NodeJS.ProcessEnv = { ...env, NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true' };
    delete nxEnv.REBASE_DAILY_CONFIG; // the fleet is the workspace's forks, not the one the env names
    const r = await run(join(workspace, 'node_modules', '.bin', 'nx'), ['graph', `--file=${file}`], { cwd: workspace, env: nxEnv, timeoutMs: 300_000 });
    if (r.exitCode !== 0) throw errors.usage(`nx could not list the forks of ${workspace} (exit ${r.exitCode}); check that nx.json registers @rebase-daily/cli/plugin and \`npx nx show projects\` works there`);
    type Node = { name: string; data: { tags?: string[]; targets?: Record<string, { executor?: string; options?: { config?: string } }> } };
    const nodes = Object.values((JSON.parse(readFileSync(file, 'utf8')) as { graph: { nodes: Record<string, Node> } }).graph.nodes);
    return nodes
      .filter((n) => n.data.tags?.includes('rebase-fork'))
      .map((n) => {
        const config = Object.values(n.data.targets ?? {}).find((t) => t.executor === '@rebase-daily/git:verify')?.options?.config ?? '';
        const loaded = loadConfig({ configPath: isAbsolute(config) ? config : resolve(workspace, config), cwd: workspace });
        const scratch = loaded.ok ? join(loaded.config.scratchPath, 'rebase-daily') : join(workspace, config, '..', '.scratch', 'rebase-daily');
        const rel = relative(workspace, scratch);
        return { fork: n.name, reports: rel.startsWith('..') ? scratch : rel };
      })
      .sort((a, b) => a.fork.localeCompare(b.fork));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `init --ci github`: write `<workspace>/.github/workflows/rebase-daily.yml` for the inferred forks. */
export async function initGithubWorkflow(run: Runner, options: { workspace: string; force: boolean; env: NodeJS.ProcessEnv }): Promise<{ file: WrittenFile; forks: WorkflowFork[] }> {
  const forks = await inferredForks(run, options.workspace, options.env);
  if (!forks.length) throw errors.usage(`no forks in ${options.workspace}: \`nx show projects --projects=tag:rebase-fork\` is empty; add a rebase-daily.json per fork folder, then rerun`);
  const path = join(options.workspace, '.github', 'workflows', 'rebase-daily.yml');
  const [file] = writePlanned([{ path, content: githubWorkflow(forks) }], options.force);
  return { file, forks };
}
