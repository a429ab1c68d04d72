import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { workspaceRoot } from './helpers.js';

// .github/workflows/ci.yml, parsed and checked: GitHub is not reachable from here, so nothing runs
// the workflow itself; this checks it asks for what the repository has (targets, node, tools) the Nx way.
const workflow = parse(readFileSync(join(workspaceRoot, '.github', 'workflows', 'ci.yml'), 'utf8'));
const root = JSON.parse(readFileSync(join(workspaceRoot, 'package.json'), 'utf8'));
const steps: { uses?: string; run?: string; with?: Record<string, unknown> }[] = workflow.jobs.affected.steps;
const index = (pred: (s: (typeof steps)[number]) => boolean) => steps.findIndex(pred);
const packages = (root.workspaces as string[]).map((w) => JSON.parse(readFileSync(join(workspaceRoot, w, 'package.json'), 'utf8')));

describe('.github/workflows/ci.yml', () => {
  it('runs on pushes to main and on pull requests', () => {
    expect(workflow.on.push.branches).toEqual(['main']);
    expect(workflow.on).toHaveProperty('pull_request');
  });

  it('checks out the full history and sets the base and head SHAs with nrwl/nx-set-shas before nx affected', () => {
    const checkout = steps[index((s) => s.uses?.startsWith('actions/checkout@') ?? false)];
    expect(checkout.with?.['fetch-depth']).toBe(0);
    const setShas = index((s) => s.uses?.startsWith('nrwl/nx-set-shas@') ?? false);
    const affected = index((s) => /nx affected -t lint test build\b/.test(s.run ?? ''));
    const install = index((s) => /^npm ci\b/.test(s.run ?? ''));
    expect(install).toBeGreaterThan(-1);
    expect(setShas).toBeGreaterThan(install);
    expect(affected).toBeGreaterThan(setShas);
    expect(steps[affected].run).toContain('--base="$NX_BASE" --head="$NX_HEAD"');
    expect(workflow.permissions).toMatchObject({ actions: 'read', contents: 'read' });
  });

  it('every target it asks for exists: lint, test and build in every package, test:slow where a package has slow tests', () => {
    for (const pkg of packages) for (const t of ['lint', 'test', 'build']) expect(pkg.scripts[t], `${pkg.name} ${t}`).toBeDefined();
    expect(steps.some((s) => /nx affected -t test:slow\b/.test(s.run ?? ''))).toBe(true);
    expect(packages.some((p) => p.scripts['test:slow'])).toBe(true);
  });

  it("node satisfies the workspace's engines; cargo and rustfmt are installed for the validate tests", () => {
    const node = String(steps[index((s) => s.uses?.startsWith('actions/setup-node@') ?? false)].with?.['node-version']);
    const [major, minor] = node.split('.').map(Number);
    const [, wantMajor, wantMinor] = /(\d+)\.(\d+)/.exec(root.engines.node)!.map(Number);
    expect(major > wantMajor || (major === wantMajor && (minor ?? 0) >= wantMinor)).toBe(true);
    const rust = steps[index((s) => s.uses?.startsWith('dtolnay/rust-toolchain@') ?? false)];
    expect(rust.with?.components).toContain('rustfmt');
  });

  it('is the only workflow, and .ci/run still runs everything (npm test, then npm run test:slow)', () => {
    expect(readdirSync(join(workspaceRoot, '.github', 'workflows'))).toEqual(['ci.yml']);
    const ci = readFileSync(join(workspaceRoot, '.ci', 'run'), 'utf8').trim().split('\n');
    // Each step runs through `step`, which prints how long it took.
    expect(ci.slice(-2).map((l) => l.replace(/^step /, ''))).toEqual(['npm test', 'npm run test:slow']);
    expect(root.scripts['test:slow']).toMatch(/nx run-many -t test:slow/);
  });
});
