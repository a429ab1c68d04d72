import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DAILY_STAGES, positionInGraph, STAGES, stagesFor } from '@rebase-daily/core';

// `nx run rebase:daily` and the CLI's `daily` run one pipeline definition (core's DAILY_STAGES):
// the Nx task graph is the same six stage targets in the same order, each depending on the one before.
const workspace = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('the rebase:daily task graph', () => {
  it('is the six stage targets verify → apply → align → validate → publish → report, in core\'s pipeline order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rebase-graph-'));
    try {
      const file = join(dir, 'graph.json');
      // The fork REBASE_DAILY_CONFIG names (outside the workspace) is the project `rebase`, inferred
      // by @rebase-daily/cli/plugin; the graph needs no repository, only the config file.
      const config = join(dir, 'rebase-daily.json');
      writeFileSync(config, '{ "trunk": "fork/trunk" }\n');
      const env = { ...process.env, REBASE_DAILY_CONFIG: config, NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true' };
      const r = spawnSync(join(workspace, 'node_modules', '.bin', 'nx'), ['run', 'rebase:daily', `--graph=${file}`], { cwd: workspace, env, encoding: 'utf8', timeout: 120_000 });
      expect(r.status, r.stderr + r.stdout).toBe(0);
      const graph = JSON.parse(readFileSync(file, 'utf8')) as { tasks: { tasks: Record<string, unknown>; dependencies: Record<string, { id: string }[]> } };
      const deps = graph.tasks.dependencies;
      const chain: string[] = [];
      const own = (id: string) => deps[id]?.find((d) => d.id.startsWith('rebase:'))?.id;
      for (let id: string | undefined = 'rebase:daily'; id; id = own(id)) chain.unshift(id.split(':')[1]);
      expect(chain).toEqual([...DAILY_STAGES, 'daily']);
      // In this checkout the first stage waits for the packages' builds (cached), so cron runs current code.
      expect(deps['rebase:verify'].map((d) => d.id).sort()).toEqual(
        ['cargo-validate', 'cli', 'core', 'git', 'graphite', 'report'].map((p) => `@rebase-daily/${p}:build`),
      );
      expect(DAILY_STAGES).toEqual([...STAGES]);
      expect(stagesFor('daily')).toEqual(DAILY_STAGES);
      // Core reads the same graph to decide which task begins the run and which finishes it.
      const at = (target: string) => positionInGraph({ root: workspace, projectName: 'rebase', targetName: target, taskGraph: graph.tasks });
      expect(at('verify')).toMatchObject({ first: true, last: false, stages: DAILY_STAGES });
      expect(at('publish')).toMatchObject({ first: false, last: false });
      expect(at('report')).toMatchObject({ first: false, last: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
