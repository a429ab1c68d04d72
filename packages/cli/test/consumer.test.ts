import { execFile, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createForkFixture, git, makeTempDir, removeDir, writeFixtureConfig, type ForkFixture } from '@rebase-daily/core/testing';
import { initGraphiteStack } from '@rebase-daily/graphite/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspaceRoot } from './helpers.js';

// The packages as a stranger gets them: built dist (the cli test target depends on every build),
// `npm pack`ed, installed into an empty project. No workspace source conditions anywhere: every
// script runs in a plain `node` child process.

const PACKAGES = ['core', 'report', 'git', 'graphite', 'cargo-validate', 'cli'] as const;
const wsBin = join(workspaceRoot, 'node_modules', '.bin');
const version = (JSON.parse(readFileSync(join(workspaceRoot, 'packages', 'cli', 'package.json'), 'utf8')) as { version: string }).version;

function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, timeoutMs = 120_000) {
  const t0 = Date.now();
  // No colours in what the examples print (Nx sets FORCE_COLOR for its tasks).
  const { FORCE_COLOR: _colour, ...base } = process.env;
  const r = spawnSync(cmd, args, { cwd, env: { ...base, NO_COLOR: '1', ...env }, encoding: 'utf8', timeout: timeoutMs });
  // CONSUMER_TIMING=1 prints how long each step took (the whole file should stay well under 2 min).
  if (process.env.CONSUMER_TIMING) console.error(`${Date.now() - t0} ms: ${[cmd, ...args].join(' ').slice(0, 100)}`);
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', all: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

/** One call per package that does real work, and prints what it got. Same source for ESM and CJS. */
const PROBE = `
import { parseConfig } from '@rebase-daily/core';
import { formatDuration } from '@rebase-daily/report';
import { parseGitVersion } from '@rebase-daily/git';
import { packageDir } from '@rebase-daily/graphite';
import { defaultToolSearchDirs, parseCargoTestOutput } from '@rebase-daily/cargo-validate';
import { main } from '@rebase-daily/cli';

async function probe(): Promise<void> {
  const env: NodeJS.ProcessEnv = { TZ: 'UTC' };
  const parsed = parseConfig({ trunk: 'fork/trunk' }, '/tmp/x/rebase-daily.json');
  const cargo = parseCargoTestOutput('test result: ok. 2 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s\\n');
  const out: string[] = [];
  const code = await main(['--version'], { stdout: (t: string) => void out.push(t), stderr: () => {}, env, cwd: '/', isTTY: false });
  console.log(JSON.stringify({
    core: parsed.ok,
    report: formatDuration(61_000),
    git: parseGitVersion('git version 2.39.5'),
    graphite: (packageDir() ?? '').split(/[\\\\/]/).slice(-3).join('/'),
    cargo: [cargo.totals.passed, cargo.totals.ignored, defaultToolSearchDirs().some((d: string) => d.includes('cargo-validate'))],
    cli: [code, out.join('').trim()],
  }));
}
void probe();
`;
const EXPECTED_PROBE = {
  core: true,
  report: '1 min 1 s',
  git: [2, 39, 5],
  graphite: '@rebase-daily/graphite/dist',
  cargo: [2, 1, true],
  cli: [0, version],
};

/** The first fenced code block (```ts or ```js) after `heading` in a package README. */
function readmeExample(pkg: string, heading: string | null): string {
  const text = readFileSync(join(workspaceRoot, 'packages', pkg, 'README.md'), 'utf8');
  const from = heading === null ? 0 : text.indexOf(heading);
  expect(from, `${pkg}/README.md has no "${heading}"`).toBeGreaterThanOrEqual(0);
  const m = text.slice(from).match(/```(?:ts|js)\n([\s\S]*?)```/);
  expect(m, `${pkg}/README.md has no code block after "${heading}"`).not.toBeNull();
  return m![1];
}

describe('both module formats of every built package, in this workspace', () => {
  it.each(PACKAGES)('%s: require() and import() load dist and work', (pkg) => {
    const calls: Record<(typeof PACKAGES)[number], string> = {
      core: "m.parseConfig({ trunk: 't' }, '/tmp/x/rebase-daily.json').ok",
      report: 'm.formatDuration(61000)',
      git: "m.parseGitVersion('git version 2.39.5').join('.')",
      graphite: 'm.packageDir()',
      'cargo-validate': "m.parseCargoTestOutput('test result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out').totals.passed",
      cli: "await m.main(['--version'], { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), env: {}, cwd: '/', isTTY: false })",
    };
    const body = `console.log(JSON.stringify(${calls[pkg]}))`;
    const cjs = sh(process.execPath, ['-e', `(async () => { const m = require('@rebase-daily/${pkg}'); ${body} })()`], workspaceRoot);
    const esm = sh(process.execPath, ['--input-type=module', '-e', `const m = await import('@rebase-daily/${pkg}'); ${body}`], workspaceRoot);
    expect(cjs.stderr).toBe('');
    expect(esm.stderr).toBe('');
    expect(cjs.code).toBe(0);
    expect(cjs.stdout).toBe(esm.stdout);
    expect(cjs.stdout.trim()).not.toBe('');
  });
});

describe('are the types wrong? (@arethetypeswrong/cli on each packed package)', () => {
  it('no problems for any of the six in any resolution mode (node10, node16 from CJS and ESM, bundler)', async () => {
    // `npx attw --pack packages/<p>` for all six at once (each run is mostly TypeScript's start-up).
    const runs = await Promise.all(
      PACKAGES.map(
        (pkg) =>
          new Promise<{ pkg: string; code: number | null; stdout: string; stderr: string }>((resolve) => {
            execFile(join(wsBin, 'attw'), ['--pack', `packages/${pkg}`, '--format', 'json'], { cwd: workspaceRoot, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) =>
              resolve({ pkg, code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
            );
          }),
      ),
    );
    const problems = runs.map((r) => ({ pkg: r.pkg, problems: (JSON.parse(r.stdout) as { analysis?: { problems?: unknown[] } }).analysis?.problems ?? r.stderr }));
    expect(problems).toEqual(PACKAGES.map((pkg) => ({ pkg, problems: [] })));
    expect(runs.map((r) => r.code)).toEqual(PACKAGES.map(() => 0));
  });
});

describe("the README's commands in this checkout", () => {
  it('every `npx … rebase-daily` in the READMEs says --no-install, and both forms resolve locally without the registry', () => {
    const readmes = ['README.md', ...PACKAGES.map((p) => `packages/${p}/README.md`)];
    const forms = readmes.flatMap((f) => readFileSync(join(workspaceRoot, f), 'utf8').match(/npx [^`\n]*rebase-daily\b[^`\n]*/g) ?? []);
    expect(forms.length).toBeGreaterThan(0);
    for (const form of forms) expect(form).toMatch(/^npx --no-install rebase-daily /);
    // A registry that cannot answer: if either form tried npm's registry, it would fail.
    const offline = { npm_config_registry: 'http://127.0.0.1:9/', npm_config_offline: 'true' };
    const direct = sh(join(wsBin, 'rebase-daily'), ['--version'], workspaceRoot, offline);
    expect(direct.all.trim()).toBe(version);
    const npx = sh('npx', ['--no-install', 'rebase-daily', '--version'], workspaceRoot, offline);
    expect(npx.all.trim()).toBe(version);
  });
});

describe('the six packages packed and installed into an empty project', () => {
  let dir: string;
  let install: ReturnType<typeof sh>;
  let tsc: ReturnType<typeof sh> | undefined;
  const fixtures: ForkFixture[] = [];
  beforeAll(() => {
    dir = makeTempDir('rebase-daily-consumer-');
    const packs = join(dir, 'packs');
    mkdirSync(packs);
    const pack = sh('npm', ['pack', ...PACKAGES.map((p) => `./packages/${p}`), '--pack-destination', packs], workspaceRoot);
    expect(pack.code, pack.all).toBe(0);
    const project = join(dir, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`);
    // --prefer-offline: dependencies come from npm's cache when it has them (it has, after `npm ci`
    // of this workspace), the registry otherwise. --offline fails for a version the cache lacks.
    install = sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...readdirSync(packs).map((f) => join(packs, f))], project, {}, 150_000);
    dir = project;
    if (install.code !== 0) return;
    writeFileSync(join(dir, 'consumer.mts'), PROBE);
    writeFileSync(join(dir, 'consumer.cts'), PROBE);
    writeFileSync(join(dir, 'align.mts'), readmeExample('graphite', '## Example'));
    writeFileSync(join(dir, 'pipeline.mts'), readmeExample('core', null));
    writeFileSync(join(dir, 'parse-log.mts'), readmeExample('cargo-validate', '## Example'));
    writeFileSync(join(dir, 'bump.mjs'), readmeExample('git', 'Or use the library pieces directly'));
    // The report example has no top-level await: it must work as ESM and as CJS, from one source.
    writeFileSync(join(dir, 'show-report.mts'), readmeExample('report', '## Example'));
    writeFileSync(join(dir, 'show-report.cts'), readmeExample('report', '## Example'));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        // types: [] — Node's types must come from the packages' own declarations, not from
        // whatever @types the consumer happens to have.
        compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, skipLibCheck: false, types: [], outDir: 'out', rootDir: '.' },
        include: ['*.mts', '*.cts'],
      }),
    );
    tsc = sh(process.execPath, [join(workspaceRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], dir);
  }, 240_000);
  afterAll(() => {
    for (const fx of fixtures) fx.cleanup();
    if (dir) removeDir(join(dir, '..'));
  });

  it('installs from the tarballs alone', () => {
    expect(install.code, install.all).toBe(0);
    for (const p of PACKAGES) expect(existsSync(join(dir, 'node_modules', '@rebase-daily', p, 'dist'))).toBe(true);
  });

  it('type-checks and runs an .mts and a .cts consumer (module nodenext, no @types auto-included); the README examples type-check too', () => {
    expect(tsc?.all).toBe('');
    expect(tsc?.code).toBe(0);
    for (const file of ['consumer.mjs', 'consumer.cjs']) {
      const r = sh(process.execPath, [join(dir, 'out', file)], dir);
      expect(r.stderr, file).toBe('');
      expect(JSON.parse(r.stdout), file).toEqual(EXPECTED_PROBE);
    }
  });

  it("runs the packages' README examples as written", () => {
    const out = join(dir, 'out');
    // cli: the bin, both ways.
    expect(sh(join(dir, 'node_modules', '.bin', 'rebase-daily'), ['--version'], dir).all.trim()).toBe(version);
    expect(sh('npx', ['--no-install', 'rebase-daily', '--version'], dir, { npm_config_registry: 'http://127.0.0.1:9/' }).all.trim()).toBe(version);

    // cargo-validate: parse a saved cargo test log.
    const log = join(dir, 'test.log');
    copyFileSync(join(workspaceRoot, 'packages', 'cargo-validate', 'src', '__fixtures__', 'cargo-test-pass.txt'), log);
    const parsed = sh(process.execPath, [join(out, 'parse-log.mjs'), log], dir);
    expect(parsed.all).toMatch(/binaries: 5[\s\S]*passed: 5/);

    // core: the pipeline (verify + apply) on a fork; the config file beside the repo, not in it.
    // A crate cargo can read (the bump takes its members from `cargo metadata`): a manifest and a target.
    const fx = createForkFixture({ base: { 'README.md': 'upstream\n', 'Cargo.toml': '[package]\nname = "demo"\nversion = "1.2.3"\n', 'src/lib.rs': '' } });
    fixtures.push(fx);
    // gt sync needs Graphite's service (unreachable here); a short limit keeps the example bounded
    // (the default policy carries on with the local restack after it).
    writeFixtureConfig(fx, { repo: './fork', graphite: { syncTimeoutSeconds: 3 } });
    const home = makeTempDir('consumer-home-');
    const env = { HOME: home, PATH: `${wsBin}:${process.env.PATH}` };
    const pipeline = sh(process.execPath, [join(out, 'pipeline.mjs')], fx.root, env);
    expect(pipeline.code, pipeline.all).toBe(0);

    // report (show-report.mts, type-checked under strict): re-render a run's report from its saved
    // state, on a success day and on a conflict day (readable, not ok: it once crashed on `problems`).
    const stateOf = (clone: string) => {
      const runs = join(clone, '.scratch', 'rebase-daily', 'runs');
      return join(runs, readdirSync(runs).sort().reverse().find((d) => existsSync(join(runs, d, 'state.json')))!, 'state.json');
    };
    const cliBin = join(dir, 'node_modules', '.bin', 'rebase-daily');
    const good = createForkFixture({ upstreamCommits: [{ files: { 'UP.md': 'x\n' }, message: 'upstream: x' }] });
    const bad = createForkFixture({ patches: [{ files: { 'src/lib.txt': 'fork\n' }, message: 'fork: change lib' }], upstreamCommits: [{ files: { 'src/lib.txt': 'upstream\n' }, message: 'upstream: change lib' }] });
    fixtures.push(good, bad);
    for (const [fork, exit, outcome] of [[good, 0, 'success'], [bad, 10, 'verify-conflict']] as const) {
      const day = sh(cliBin, ['daily', '--config', writeFixtureConfig(fork, { repo: './fork' })], fork.root, env);
      expect(day.code, day.all).toBe(exit);
      for (const file of ['show-report.mjs', 'show-report.cjs']) {
        const shown = sh(process.execPath, [join(out, file), stateOf(fork.clone)], dir);
        expect(shown.code, `${file}: ${shown.all}`).toBe(0);
        expect(shown.stdout).toMatch(new RegExp(`^latest: ${outcome} \\(exit ${exit}\\) in \\S+report\\.json${exit ? ' — needs a human' : '$'}`, 'm'));
      }
    }

    // graphite: align a Graphite-initialised fork rebase-daily has never run in (real gt from the
    // workspace, HOME kept apart): the example keeps its scratch dir out of `git status` itself.
    const fresh = createForkFixture({});
    fixtures.push(fresh);
    writeFixtureConfig(fresh, { repo: './fork', graphite: { syncTimeoutSeconds: 3 } });
    initGraphiteStack(fresh.clone, fresh.trunk, [{ name: 'feat-a', parent: fresh.trunk, files: { 'a.txt': 'a\n' } }]);
    git(fresh.clone, 'checkout', '-q', fresh.trunk);
    const aligned = sh(process.execPath, [join(out, 'align.mjs')], fresh.root, env);
    expect(aligned.code, aligned.all).toBe(0);
    expect(aligned.stdout).toMatch(/^ok /);
    expect(git(fresh.clone, 'status', '--porcelain')).toBe('');

    // git: the fork version bump on the checkout, from upstream's manifest.
    const upstreamSha = git(fx.clone, 'rev-parse', `upstream/${fx.upstreamBranch}`);
    const bumped = sh(process.execPath, [join(dir, 'bump.mjs'), fx.clone, upstreamSha], dir);
    expect(bumped.code, bumped.all).toBe(0);
    // cargo decides the workspace members (`cargo metadata`), so the crate must be one cargo accepts.
    expect(bumped.stdout).toMatch(/^committed 1\.2\.3-fork\.1/);
    expect(readFileSync(join(fx.clone, 'Cargo.toml'), 'utf8')).toContain('version = "1.2.3-fork.1"');
    removeDir(home);
  });
});
