import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { commitFiles, createForkFixture, git, makeTempDir, removeDir, type ForkFixture } from '@rebase-daily/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { cargoWorkspaceFiles, stageContext } from '../test/stage-context.js';
import { resolveTool } from './resolve-tool.js';
import { createValidateStage, validateCachePath, validateStage, type ValidateData } from './validate-stage.js';

// Real cargo, real just (the workspace's rust-just), real git repos in temp dirs. One cargo target
// dir is shared by every test so each fixture only recompiles the two tiny crates.
const targetDir = makeTempDir('cv-target-');
const fixtures: ForkFixture[] = [];
afterAll(() => {
  for (const fx of fixtures) fx.cleanup();
  removeDir(targetDir);
});

const ALPHA = cargoWorkspaceFiles()['crates/alpha/src/lib.rs'];

function fork(): ForkFixture {
  const fx = createForkFixture({ base: cargoWorkspaceFiles(), patches: [{ files: { 'FORK.md': 'fork notes\n' }, message: 'fork: notes' }] });
  fixtures.push(fx);
  return fx;
}

const validate = (extra: Record<string, unknown> = {}) => ({ cwd: '.', targetDir, ...extra });
const dataOf = (r: { data?: Record<string, unknown> }) => r.data as unknown as ValidateData;
const crateLines = (d: ValidateData) => d.tests!.crates.map((c) => `${c.crate} ${c.status} ${c.passed}/${c.failed}/${c.ignored}`);
const clean = (fx: ForkFixture) => git(fx.clone, 'status', '--porcelain', '--untracked-files=all');
const justDir = dirname(resolveTool('just')!);
const cargoDir = dirname(resolveTool('cargo')!);

// Every test builds its own fork (tests never share commits, so one runs alone with -t). Wall-clock
// limits leave room for a busy 2-core machine: a cold compile of the fixture takes ~10 s there.
describe('validate stage on a real Cargo workspace', () => {
  it('passes: formatting clean, per-crate results, log kept, tree clean, success recorded for replay', async () => {
    const fx = fork();
    const { ctx } = stageContext(fx, validate());
    const result = await validateStage(ctx);
    expect(result.status).toBe('ok');
    const data = dataOf(result);
    expect(data.worktree.kind).toBe('primary');
    expect(data.format?.argv).toEqual(['just', 'fmt']);
    expect(data.steps.map((s) => `${s.name}:${s.status}`)).toEqual(['fmt:ok', 'test:ok']);
    // --all-features is on by default: alpha's feature-gated test ran (2 unit + 1 doc).
    expect(crateLines(data)).toEqual(['alpha ok 3/0/1', 'beta ok 2/0/0']);
    expect(readFileSync(data.tests!.logFile, 'utf8')).toContain('test result: ok.');
    expect(data.tests!.logFile).toBe(join(ctx.runDir, 'validate', 'test.log'));
    expect(result.summary).toMatch(/validated in the primary worktree: formatting clean; 5 test binaries, 5 passed, 0 failed, 1 ignored \(alpha 3✓, beta 2✓\)/);
    expect(clean(fx)).toBe('');
    expect(existsSync(validateCachePath(ctx.config.scratchPath, data.cacheKey!))).toBe(true);
  });

  it('replays a recorded success for the unchanged tree without running cargo, and re-runs once the tree changes', async () => {
    const fx = fork();
    const first = await validateStage(stageContext(fx, validate()).ctx);
    expect(first.status).toBe('ok');
    const replay = stageContext(fx, validate());
    const cached = await validateStage(replay.ctx);
    expect(cached.status).toBe('ok');
    expect(dataOf(cached).cached).toBe(true);
    expect(replay.log.entries.some((e) => e.argv.includes('test'))).toBe(false);

    commitFiles(fx.clone, { 'crates/beta/src/lib.rs': `${cargoWorkspaceFiles()['crates/beta/src/lib.rs']}\n/// A new doc line.\npub fn one() -> u32 {\n    1\n}\n` }, 'beta: one');
    const changed = stageContext(fx, validate());
    const rerun = await validateStage(changed.ctx);
    expect(rerun.status).toBe('ok');
    expect(dataOf(rerun).cached).toBe(false);
    expect(dataOf(rerun).cacheKey).not.toBe(dataOf(cached).cacheKey);
  });

  it('a failing test fails the gate (validation-failed), names the test, records nothing for replay, pushes nothing', async () => {
    const fx = fork();
    const originTrunk = git(fx.originBare, 'rev-parse', `refs/heads/${fx.trunk}`);
    commitFiles(fx.clone, { 'crates/alpha/src/lib.rs': ALPHA.replace('assert_eq!(add(1, 2), 3);', 'assert_eq!(add(1, 2), 4);') }, 'alpha: break a test');
    for (let attempt = 0; attempt < 2; attempt++) {
      // Run twice: a failure is never replayed — the second run runs cargo again and fails again.
      const { ctx, log } = stageContext(fx, validate());
      const result = await validateStage(ctx);
      expect(result.status).toBe('failed');
      expect(result.outcome).toBe('validation-failed');
      const data = dataOf(result);
      expect(data.cached).toBe(false);
      expect(data.reasons).toEqual(['tests-failed']);
      expect(data.tests!.failingTests).toEqual([{ crate: 'alpha', binary: 'alpha', test: 'tests::adds' }]);
      expect(result.summary).toContain('alpha: tests::adds');
      expect(result.summary).toContain(data.tests!.logFile);
      expect(result.nextActions?.[0]).toMatch(/no further branches are pushed/);
      expect(existsSync(validateCachePath(ctx.config.scratchPath, data.cacheKey!))).toBe(false);
      expect(log.entries.some((e) => e.argv.includes('push'))).toBe(false);
    }
    expect(git(fx.originBare, 'rev-parse', `refs/heads/${fx.trunk}`)).toBe(originTrunk);
    expect(clean(fx)).toBe('');
  });

  it('a compile error is reported as a compile error, with the rustc error, and the test binaries are not run', async () => {
    const fx = fork();
    commitFiles(fx.clone, { 'crates/alpha/src/lib.rs': ALPHA.replace('    a + b\n', '    a + b + undefined_thing\n') }, 'alpha: break the build');
    const { ctx, log } = stageContext(fx, validate());
    const result = await validateStage(ctx);
    expect(result.outcome).toBe('validation-failed');
    expect(dataOf(result).reasons).toEqual(['compile-error']);
    expect(result.summary).toMatch(/compile error in alpha: error\[E0425\] cannot find value `undefined_thing` in this scope at crates\/alpha\/src\/lib\.rs:9:13/);
    // Only the --no-run build ran; the configured command (which would compile again) did not.
    expect(log.entries.filter((e) => e.argv.includes('test')).map((e) => e.argv.includes('--no-run'))).toEqual([true]);
    expect(clean(fx)).toBe('');
  });

  it('per-crate attribution is exact while both CPUs are busy (2× `yes`, 3 runs)', async () => {
    const fx = fork();
    const hogs = [0, 1].map(() => spawn('yes', [], { stdio: ['ignore', 'ignore', 'ignore'] }));
    try {
      for (let i = 0; i < 3; i++) {
        const result = await createValidateStage({ cache: false })(stageContext(fx, validate({ format: false })).ctx);
        expect(result.status).toBe('ok');
        expect(crateLines(dataOf(result))).toEqual(['alpha ok 3/0/1', 'beta ok 2/0/0']);
        expect(dataOf(result).tests!.binaries.map((b) => `${b.crate}:${b.kind}:${b.name}`)).toEqual(['alpha:unit:alpha', 'beta:unit:beta', 'beta:integration:smoke', 'alpha:doc:alpha', 'beta:doc:beta']);
      }
    } finally {
      for (const h of hogs) h.kill('SIGKILL');
    }
  });

  it('a configured `just test` runs as given; its binaries are attributed from cargo metadata', async () => {
    const fx = fork();
    commitFiles(fx.clone, { justfile: `${cargoWorkspaceFiles().justfile}\ntest:\n    cargo test --all-features\n` }, 'justfile: test recipe');
    const { ctx, log } = stageContext(fx, validate({ test: ['just', 'test'] }));
    const result = await createValidateStage({ cache: false })(ctx);
    expect(result.status).toBe('ok');
    expect(crateLines(dataOf(result))).toEqual(['alpha ok 3/0/1', 'beta ok 2/0/0']);
    expect(log.entries.some((e) => e.argv.includes('--no-run'))).toBe(false);
    expect(log.entries.some((e) => e.argv.includes('metadata'))).toBe(true);
  });

  it('a test binary killed by the timeout is `incomplete`; the binaries before it keep their results', async () => {
    const fx = fork();
    commitFiles(fx.clone, { 'crates/beta/tests/hang.rs': '#[test]\nfn hangs() {\n    std::thread::sleep(std::time::Duration::from_secs(600));\n}\n' }, 'beta: a hanging test');
    // Built first, with no limit, into the same target dir: the 25 s limit then covers running the
    // binaries (alpha and beta take milliseconds, hang sleeps 600 s), not a cold compile on a busy
    // machine, which could use up the limit before alpha and beta ever ran.
    execFileSync(resolveTool('cargo')!, ['test', '--no-run', '--all-features', '--offline', '--quiet'], { cwd: fx.clone, env: { ...process.env, CARGO_TARGET_DIR: targetDir }, stdio: 'ignore' });
    const started = Date.now();
    const { ctx } = stageContext(fx, validate({ format: false, timeoutSeconds: 25 }));
    const result = await createValidateStage({ cache: false })(ctx);
    expect(Date.now() - started).toBeLessThan(120_000);
    const data = dataOf(result);
    expect(data.reasons).toEqual(['timeout']);
    expect(data.tests!.binaries.map((b) => `${b.crate}:${b.name}:${b.status}`)).toEqual(['alpha:alpha:ok', 'beta:beta:ok', 'beta:hang:incomplete']);
    expect(crateLines(data)).toEqual(['alpha ok 2/0/1', 'beta incomplete 1/0/0']);
    expect(clean(fx)).toBe('');
  });
});

describe('formatting', () => {
  it('a format step that rewrites files is a finding: files listed, diff saved, tree restored, gate failed', async () => {
    const fx = fork();
    commitFiles(fx.clone, { 'crates/beta/src/lib.rs': 'pub fn double(a: u32) -> u32 { alpha::add(a,a) }\n' }, 'beta: unformatted');
    const head = git(fx.clone, 'rev-parse', 'HEAD');
    const { ctx } = stageContext(fx, validate());
    const result = await validateStage(ctx);
    expect(result.status).toBe('failed');
    expect(result.outcome).toBe('validation-failed');
    const data = dataOf(result);
    expect(data.reasons).toEqual(['format-changed-files']);
    expect(data.format!.changedFiles).toEqual(['crates/beta/src/lib.rs']);
    expect(readFileSync(data.format!.diffPath!, 'utf8')).toContain('+    alpha::add(a, a)');
    expect(data.format!.diffPath).toBe(join(ctx.runDir, 'validate', 'fmt.diff'));
    // The tests still ran on the committed tree, so the report has both.
    expect(data.steps.map((s) => `${s.name}:${s.status}`)).toEqual(['fmt:changed-files', 'test:ok']);
    expect(clean(fx)).toBe('');
    expect(git(fx.clone, 'rev-parse', 'HEAD')).toBe(head);
    expect(readFileSync(join(fx.clone, 'crates/beta/src/lib.rs'), 'utf8')).toBe('pub fn double(a: u32) -> u32 { alpha::add(a,a) }\n');
  });

  it('without a justfile the default is cargo fmt --all; format: false skips it', async () => {
    const fx = fork();
    commitFiles(fx.clone, { justfile: null }, 'no justfile');
    const auto = await validateStage(stageContext(fx, validate()).ctx);
    expect(dataOf(auto).format?.argv).toEqual(['cargo', 'fmt', '--all']);
    const off = await createValidateStage({ cache: false })(stageContext(fx, validate({ format: false })).ctx);
    expect(dataOf(off).steps.map((s) => s.name)).toEqual(['test']);
  });
});

describe('where validation runs', () => {
  it('uses a dedicated worktree when the trunk is not checked out, and removes it afterwards', async () => {
    const fx = fork();
    git(fx.clone, 'checkout', '-q', fx.mirror);
    const { ctx, temporaries } = stageContext(fx, validate());
    const result = await validateStage(ctx);
    expect(result.status).toBe('ok');
    const data = dataOf(result);
    expect(data.worktree.kind).toBe('dedicated');
    expect(data.worktree.why).toContain(`${fx.mirror} is checked out`);
    expect(data.worktree.path.startsWith(ctx.config.scratchPath)).toBe(true);
    expect(existsSync(data.worktree.path)).toBe(false);
    expect(temporaries.size).toBe(0);
    expect(git(fx.clone, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
    expect(git(fx.clone, 'symbolic-ref', '--short', 'HEAD')).toBe(fx.mirror);
    expect(clean(fx)).toBe('');
  });

  it('uses a dedicated worktree when the primary one has uncommitted changes, and leaves them alone', async () => {
    const fx = fork();
    const notes = join(fx.clone, 'FORK.md');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(notes, 'work in progress\n');
    const result = await createValidateStage({ cache: false })(stageContext(fx, validate()).ctx);
    expect(dataOf(result).worktree.kind).toBe('dedicated');
    expect(readFileSync(notes, 'utf8')).toBe('work in progress\n');
  });
});

describe('limits and missing tools', () => {
  it('a step that runs past its timeout fails with reason timeout, promptly', async () => {
    const fx = fork();
    commitFiles(
      fx.clone,
      { 'crates/beta/tests/hang.rs': '#[test]\n#[ignore]\nfn hangs() {\n    std::thread::sleep(std::time::Duration::from_secs(120));\n}\n' },
      'beta: a hanging test',
    );
    const started = Date.now();
    const { ctx } = stageContext(fx, validate({ extraSteps: [{ name: 'ignored', command: ['cargo', 'test', '-p', 'beta', '--test', 'hang', '--', '--ignored'], timeoutSeconds: 4 }] }));
    const result = await validateStage(ctx);
    expect(Date.now() - started).toBeLessThan(120_000);
    expect(result.outcome).toBe('validation-failed');
    const data = dataOf(result);
    expect(data.reasons).toEqual(['timeout']);
    expect(data.steps.at(-1)).toMatchObject({ name: 'ignored', status: 'timed-out' });
    expect(result.summary).toMatch(/step ignored timed out/);
    expect(clean(fx)).toBe('');
  });

  it('missing just (a justfile exists): one-line error naming `npm i -D rust-just`, nothing run', async () => {
    const fx = fork();
    const { ctx, log } = stageContext(fx, validate());
    const result = await createValidateStage({ cache: false, tools: { path: `${cargoDir}:/usr/bin:/bin`, searchDirs: [] } })(ctx);
    expect(result.status).toBe('failed');
    expect(result.errors?.[0].code).toBe('E_TOOL_MISSING');
    expect(result.summary).toMatch(/^just not found .*npm i -D rust-just/);
    expect(result.summary).not.toContain('\n');
    expect(log.entries.some((e) => e.argv.some((a) => a.endsWith('cargo')))).toBe(false);
    expect(clean(fx)).toBe('');
  });

  it('missing cargo: one-line error naming rustup', async () => {
    const fx = fork();
    const result = await createValidateStage({ tools: { path: `${justDir}:/usr/bin:/bin`, searchDirs: [] } })(stageContext(fx, validate()).ctx);
    expect(result.status).toBe('failed');
    expect(result.errors?.[0].code).toBe('E_TOOL_MISSING');
    expect(result.summary).toMatch(/^cargo not found .*rustup/);
  });

  it('no validate section: not-configured, with a plain summary', async () => {
    const fx = fork();
    const result = await validateStage(stageContext(fx, undefined).ctx);
    expect(result).toEqual({ status: 'not-configured', summary: expect.stringContaining('no "validate" section') });
  });
});
