import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git } from '@rebase-daily/core/testing';
import { initGraphiteStack, workspaceGt } from '@rebase-daily/graphite/testing';
import { cleanupDay, cli, day, useThrowawayHome, type Day } from './helpers.js';

// One end-to-end run per exit code and documented error code that the scenario tests do not reach,
// through the CLI on real repos (bare remotes by path), real gt and real cargo. The only stand-in is
// for Graphite's service (see E_GRAPHITE_SYNC_MOVED_TRUNK), which this machine cannot reach.
let d: Day | undefined;
useThrowawayHome('rebase-daily-e2e-home-');
afterEach(() => {
  cleanupDay(d);
  d = undefined;
});

const stage = (report: any, name: string) => report.stages.find((s: any) => s.name === name);
/** The stage that pushes the trunk: `publish` where the pipeline has one, else `apply`. */
const pushingStage = (report: any) => (stage(report, 'publish') ? 'publish' : 'apply');
const hook = (dir: string, name: string, body: string) => {
  const file = join(dir, 'hooks', name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
};
const lib = (line2: string) => `line 1\n${line2}\nline 3\n`;

describe('exit 13: Graphite alignment failed (real gt)', () => {
  it('a descendant branch that conflicts with the rebased trunk: E_GRAPHITE_RESTACK_CONFLICT, restack aborted, every branch restored', async () => {
    d = day(
      { upstreamCommits: [{ files: { 'src/lib.txt': lib('upstream line 2') }, message: 'upstream: change line 2' }] },
      // The real gt sync cannot reach Graphite offline; a short timeout and the default policy
      // ("continue") take the run on to the real local restack.
      { graphite: { syncTimeoutSeconds: 2 } },
    );
    const c = d.fixture.clone;
    initGraphiteStack(c, d.fixture.trunk, [{ name: 'feature', parent: d.fixture.trunk, files: { 'src/lib.txt': lib('feature line 2') } }]);
    const featureBefore = git(c, 'rev-parse', 'feature');
    const r = await cli(['daily', '--config', d.configPath, '--json']);
    expect(r.code, r.stderr).toBe(13);
    expect(r.json).toMatchObject({ exitCode: 13, outcome: 'graphite-failed' });
    expect(r.json.errors.map((e: any) => e.code)).toContain('E_GRAPHITE_RESTACK_CONFLICT');
    const report = d.report();
    expect(report).toMatchObject({ exitCode: 13, outcome: 'graphite-failed', stoppedBy: 'align' });
    expect(stage(report, 'align').status).toBe('failed');
    expect(report.conflict).toMatchObject({ stage: 'align', branch: 'feature', files: ['src/lib.txt'] });
    expect(git(c, 'rev-parse', 'feature')).toBe(featureBefore);
    expect(d.clean()).toBe(true);
    expect(d.head()).toBe(d.fixture.trunk);
  }, 180_000);

  it('gt sync moving the rewritten trunk: E_GRAPHITE_SYNC_MOVED_TRUNK, the trunk put back', async () => {
    // Stand-in for Graphite's service only: offline, the real `gt sync` fails before it pulls
    // anything, so it can never move the trunk here. This `gt sync` does what sync's trunk pull
    // does when the remote trunk differs (push disabled: the fork still has the old trunk) — it
    // resets the local trunk to the remote one. Every other gt command is the real gt.
    d = day({ upstreamCommits: [{ files: { 'UP.md': 'new upstream file\n' }, message: 'upstream: new file' }] });
    const trunk = d.fixture.trunk;
    const bin = join(d.fixture.root, 'gt-sync-pulls-trunk');
    writeFileSync(bin, `#!/bin/sh\nif [ "$1" = sync ]; then git update-ref "refs/heads/${trunk}" "refs/remotes/origin/${trunk}" && echo "pulled ${trunk} from remote"; exit $?; fi\nexec '${workspaceGt()}' "$@"\n`);
    chmodSync(bin, 0o755);
    writeFileSync(d.configPath, JSON.stringify({ repo: d.fixture.clone, trunk, mirror: d.fixture.mirror, upstreamBranch: d.fixture.upstreamBranch, push: { enabled: false }, graphite: { bin } }));
    initGraphiteStack(d.fixture.clone, trunk, [{ name: 'feature', parent: trunk, files: { 'feature.txt': 'feature\n' } }]);
    const startTrunk = git(d.fixture.clone, 'rev-parse', trunk);
    const r = await cli(['daily', '--config', d.configPath, '--json']);
    expect(r.code, r.stderr).toBe(13);
    expect(r.json.errors.map((e: any) => e.code)).toContain('E_GRAPHITE_SYNC_MOVED_TRUNK');
    const report = d.report();
    expect(report).toMatchObject({ exitCode: 13, outcome: 'graphite-failed', stoppedBy: 'align' });
    expect(stage(report, 'align').status).toBe('failed');
    expect(report.errors.find((e: any) => e.code === 'E_GRAPHITE_SYNC_MOVED_TRUNK').details).toMatchObject({ trunk, restored: true });
    // Align put the rebased trunk back after sync moved it; the day then stopped before publish, so
    // the run moved its candidates back: the trunk is where the run found it, the rebased one kept.
    expect(git(d.fixture.clone, 'rev-parse', trunk)).toBe(report.shas.after.trunk);
    expect(git(d.fixture.clone, 'rev-parse', trunk)).toBe(startTrunk);
    expect(git(d.fixture.clone, 'for-each-ref', '--format=%(refname)', 'refs/rebase-daily/candidates/')).toContain(`/${trunk}`);
  }, 180_000);
});

describe('exit 14: validation failed (real cargo)', () => {
  it('a crate whose test fails: validation-failed, the validate stage failed, the failing test named', async () => {
    d = day(
      {
        base: {
          'Cargo.toml': '[workspace]\nresolver = "2"\nmembers = ["gate"]\n',
          'Cargo.lock': '# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\nversion = 4\n\n[[package]]\nname = "gate"\nversion = "0.1.0"\n',
          'gate/Cargo.toml': '[package]\nname = "gate"\nversion = "0.1.0"\nedition = "2021"\n',
          'gate/src/lib.rs': '#[cfg(test)]\nmod tests {\n    #[test]\n    fn gate_fails() {\n        assert_eq!(1 + 1, 3, "the fork broke arithmetic");\n    }\n}\n',
          '.gitignore': '/target\n',
        },
        upstreamCommits: [{ files: { 'UP.md': 'new upstream file\n' }, message: 'upstream: new file' }],
      },
      { validate: { cwd: '.', format: false } },
    );
    const r = await cli(['daily', '--config', d.configPath, '--json']);
    expect(r.code, r.stderr).toBe(14);
    expect(r.json).toMatchObject({ exitCode: 14, outcome: 'validation-failed' });
    const report = d.report();
    expect(report).toMatchObject({ exitCode: 14, outcome: 'validation-failed', stoppedBy: 'validate' });
    expect(stage(report, 'validate').status).toBe('failed');
    expect(JSON.stringify(stage(report, 'validate').data)).toContain('gate_fails');
    expect(d.clean()).toBe(true);
  }, 400_000);
});

describe('exit 12: the fork remote refuses the push', () => {
  it.each([
    ['a pre-receive hook', 'pre-receive', 'echo "pre-receive: pushes are frozen today" >&2; exit 1'],
    ['branch protection of the trunk (update hook)', 'update', 'case "$1" in refs/heads/TRUNK) echo "protected branch: TRUNK cannot be force-pushed" >&2; exit 1 ;; esac; exit 0'],
  ])('%s: push-blocked, E_LEASE_BLOCKED, the pushing stage failed and names the refusal', async (_label, hookName, body) => {
    d = day({ upstreamCommits: [{ files: { 'UP.md': 'new upstream file\n' }, message: 'upstream: new file' }] });
    hook(d.fixture.originBare, hookName, body.replaceAll('TRUNK', d.fixture.trunk));
    const r = await cli(['daily', '--config', d.configPath, '--json']);
    expect(r.code, r.stderr).toBe(12);
    expect(r.json).toMatchObject({ exitCode: 12, outcome: 'push-blocked' });
    expect(r.json.errors.map((e: any) => e.code)).toContain('E_LEASE_BLOCKED');
    const report = d.report();
    const pushing = pushingStage(report);
    expect(report).toMatchObject({ exitCode: 12, outcome: 'push-blocked', stoppedBy: pushing });
    expect(stage(report, pushing).status).toBe('failed');
    expect(JSON.stringify(report.errors)).toMatch(hookName === 'update' ? /protected branch|hook declined/ : /pre-receive|hook declined/);
    expect(d.clean()).toBe(true);
    expect(d.head()).toBe(d.fixture.trunk);
  }, 120_000);
});

describe('exit 1: a failed version bump', () => {
  const cargoBase = {
    'Cargo.toml': '[workspace]\nresolver = "2"\nmembers = ["app"]\n\n[workspace.package]\nversion = "1.0.0"\n',
    'Cargo.lock': '# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\nversion = 4\n\n[[package]]\nname = "app"\nversion = "1.0.0"\n',
    'app/Cargo.toml': '[package]\nname = "app"\nversion.workspace = true\nedition = "2021"\n',
    'app/src/lib.rs': 'pub fn app() {}\n',
    '.gitignore': '/target\n',
  };
  it.each(['memory', 'worktree'] as const)('%s engine: E_VERSION_BUMP, apply failed, the trunk never moved (the bump fails before the compare-and-swap), nothing pushed', async (engine) => {
    d = day({ base: cargoBase, upstreamCommits: [{ files: { 'UP.md': 'new upstream file\n' }, message: 'upstream: new file' }] }, { engine, version: { suffix: '-fork.1', source: 'tag' } });
    const before = d.refs();
    const r = await cli(['daily', '--config', d.configPath, '--json']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.json.errors.map((e: any) => e.code)).toContain('E_VERSION_BUMP');
    const report = d.report();
    expect(report).toMatchObject({ exitCode: 1, outcome: 'error', stoppedBy: 'apply' });
    expect(stage(report, 'apply').status).toBe('failed');
    // apply builds the new trunk and its bump (in a temporary worktree) before it moves any ref, so a
    // failed bump leaves the trunk where it was: no compare-and-swap of the trunk was ever run.
    const argvs: string[] = readFileSync(report.commands.log, 'utf8').trim().split('\n').map((l) => JSON.parse(l).argv.join(' '));
    const trunkRef = `refs/heads/${d.fixture.trunk}`;
    expect(argvs.filter((a) => a.startsWith('git update-ref ') && a.includes(` ${trunkRef} `)), argvs.join('\n')).toEqual([]);
    expect(argvs.some((a) => (engine === 'memory' ? a.includes('merge-tree') : a.startsWith('git rebase '))), argvs.join('\n')).toBe(true);
    expect(d.refs().trunk).toBe(before.trunk);
    expect(d.refs().originTrunk).toBe(before.originTrunk);
    expect(d.clean()).toBe(true);
    expect(d.head()).toBe(d.fixture.trunk);
    expect(git(d.fixture.clone, 'log', '--format=%s', '-1', d.fixture.trunk)).toBe('fork: add notes');
  }, 180_000);
});

describe('a run started on a detached HEAD (no E_DETACHED_HEAD: it is not an error)', () => {
  it('rebases and pushes the trunk, and leaves HEAD detached where it was', async () => {
    d = day({ upstreamCommits: [{ files: { 'UP.md': 'new upstream file\n' }, message: 'upstream: new file' }] });
    const start = git(d.fixture.clone, 'rev-parse', 'HEAD');
    git(d.fixture.clone, 'checkout', '-q', '--detach');
    const r = await cli(['daily', '--config', d.configPath, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.outcome).toBe('success');
    expect(() => git(d!.fixture.clone, 'symbolic-ref', '-q', 'HEAD')).toThrow();
    expect(git(d.fixture.clone, 'rev-parse', 'HEAD')).toBe(start);
    expect(d.refs().originTrunk).toBe(d.refs().trunk);
    expect(d.refs().trunk).not.toBe(start);
    expect(d.clean()).toBe(true);
  }, 120_000);
});
