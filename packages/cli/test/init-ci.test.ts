import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cli, workspaceRoot } from './helpers.js';

// `rebase-daily init --ci github` on a workspace of three forks (the plugin registered in its
// nx.json): the workflow is parsed back and its matrix is compared with the projects Nx infers.
// GitHub itself is not reachable from here: the workflow is checked as data, never run by Actions.
const ws = mkdtempSync(join(tmpdir(), 'rebase-ci-ws-'));
for (const [folder, extra] of [['engine', { name: 'engine-rs' }], ['ui', {}], ['proto', { scratchDir: 'tmp/scratch' }]] as const) {
  mkdirSync(join(ws, 'forks', folder), { recursive: true });
  writeFileSync(join(ws, 'forks', folder, 'rebase-daily.json'), JSON.stringify({ trunk: 'fork/trunk', repo: 'clone', ...extra }));
}
writeFileSync(join(ws, 'package.json'), '{ "name": "ci-ws", "private": true }\n');
writeFileSync(join(ws, 'nx.json'), JSON.stringify({ useDaemonProcess: false, plugins: ['@rebase-daily/cli/plugin'] }));
symlinkSync(join(workspaceRoot, 'node_modules'), join(ws, 'node_modules'), 'dir');
afterAll(() => rmSync(ws, { recursive: true, force: true }));
const env = { NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true', REBASE_DAILY_CONFIG: '' };

describe('init --ci github', () => {
  it('writes a scheduled workflow whose matrix is the projects Nx infers, one concurrency group per fork, reports as artifacts', async () => {
    const r = await cli(['init', '--ci', 'github', '--repo', ws], env);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const file = join(ws, '.github', 'workflows', 'rebase-daily.yml');
    expect(r.stdout).toContain(`created     ${file}`);
    const wf = parse(readFileSync(file, 'utf8'));
    const inferred = JSON.parse(spawnSync(join(ws, 'node_modules', '.bin', 'nx'), ['show', 'projects', '--projects=tag:rebase-fork', '--json'], { cwd: ws, env: { ...process.env, ...env }, encoding: 'utf8' }).stdout) as string[];
    expect(inferred.sort()).toEqual(['engine-rs', 'proto', 'ui']);
    const job = wf.jobs.daily;
    expect(job.strategy.matrix.include).toEqual([
      { fork: 'engine-rs', reports: 'forks/engine/clone/.scratch/rebase-daily' },
      { fork: 'proto', reports: 'forks/proto/clone/tmp/scratch/rebase-daily' },
      { fork: 'ui', reports: 'forks/ui/clone/.scratch/rebase-daily' },
    ]);
    expect(job.strategy.matrix.include.map((m: { fork: string }) => m.fork)).toEqual(inferred.sort());
    expect(wf.on.schedule).toEqual([{ cron: '17 5 * * *' }]);
    expect(job.strategy['fail-fast']).toBe(false);
    expect(job.concurrency).toEqual({ group: 'rebase-daily-${{ matrix.fork }}', 'cancel-in-progress': false });
    const steps = job.steps as { run?: string; uses?: string; if?: string; with?: Record<string, unknown> }[];
    expect(steps.find((s) => s.run?.startsWith('node tools/rebase/daily.mjs'))?.run).toBe('node tools/rebase/daily.mjs --project "${{ matrix.fork }}"');
    expect(steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))).toMatchObject({ if: 'always()', with: { name: 'rebase-daily-${{ matrix.fork }}', path: '${{ matrix.reports }}' } });

    // Again: unchanged. Edited by hand: kept (E_FILE_EXISTS, exit 2) unless --force.
    expect((await cli(['init', '--ci', 'github', '--repo', ws], env)).stdout).toContain(`unchanged   ${file}`);
    writeFileSync(file, 'edited\n');
    const refused = await cli(['init', '--ci', 'github', '--repo', ws, '--json'], env);
    expect(refused.code).toBe(2);
    expect(refused.json.errors[0].code).toBe('E_FILE_EXISTS');
    expect(readFileSync(file, 'utf8')).toBe('edited\n');
    expect((await cli(['init', '--ci', 'github', '--repo', ws, '--force'], env)).stdout).toContain(`overwritten ${file}`);
  }, 240_000);

  it('an unknown provider is a usage error that names the supported one', async () => {
    const r = await cli(['init', '--ci', 'gitlab', '--repo', ws, '--json'], env);
    expect(r.code).toBe(2);
    expect(r.json.errors[0]).toMatchObject({ code: 'E_USAGE', message: '--ci gitlab: unknown CI provider; use --ci github' });
  });
});
