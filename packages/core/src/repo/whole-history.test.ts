import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { boundRunner, CommandLog } from '../process/process.js';
import { parseConfig, type ResolvedConfig } from '../config/config.js';
import { RebaseDailyError } from '../errors/errors.js';
import { preflight } from './preflight.js';
import { checkHistory } from './whole-history.js';
import { commitFiles, configureRepo, createForkFixture, git, type ForkFixture } from '../testing/git-fixture.js';

// Preflight's refusals of a history that is not whole and of unpushed local trunk commits, on real
// clones (shallow, partial with --filter=blob:none) of bare repositories reached by file path.
const run = boundRunner(new CommandLog());
let f: ForkFixture | undefined;
afterEach(() => f?.cleanup());

function configFor(repo: string, extra: Record<string, unknown> = {}): ResolvedConfig {
  const r = parseConfig({ repo, trunk: f!.trunk, mirror: f!.mirror, upstreamBranch: f!.upstreamBranch, ...extra }, join(f!.root, 'rebase-daily.json'));
  if (!r.ok) throw new Error(r.errors.join('; '));
  return r.config;
}
async function refusal(config: ResolvedConfig): Promise<RebaseDailyError | null> {
  try {
    await preflight(run, config);
    return null;
  } catch (err) {
    return err as RebaseDailyError;
  }
}
// Patch 2 rewrites patch 1's file: its old blob is one the checkout of the tip does not fetch.
const patches = [1, 2, 3].map((n) => ({ files: { [`p${n === 2 ? 1 : n}.txt`]: `${n}\n` }, message: `fork: patch ${n}` }));

/** A second fork clone made with extra clone flags (`--depth 1`, `--filter=blob:none`), with the upstream remote added. */
function cloneWith(name: string, ...flags: string[]): string {
  const dir = join(f!.root, name);
  git(f!.originBare, 'config', 'uploadpack.allowFilter', 'true');
  git(f!.root, 'clone', '-q', '--no-single-branch', ...flags, '-b', f!.trunk, `file://${f!.originBare}`, dir);
  configureRepo(dir);
  git(dir, 'remote', 'add', 'upstream', f!.upstreamBare);
  git(dir, 'branch', '-q', f!.mirror, `origin/${f!.mirror}`);
  return dir;
}

describe('preflight: the history is whole', () => {
  it('a full clone passes and reports nothing missing', async () => {
    f = createForkFixture({ patches });
    expect(await refusal(configFor(f.clone))).toBeNull();
    expect(await checkHistory(run, f.clone, ['HEAD'])).toEqual({ shallow: false, partial: false, missing: 0 });
  });

  it('a shallow clone (--depth 1) is refused: E_SHALLOW_REPO with git fetch --unshallow', async () => {
    f = createForkFixture({ patches });
    const err = await refusal(configFor(cloneWith('shallow', '--depth', '1')));
    expect(err?.code).toBe('E_SHALLOW_REPO');
    expect(err?.message).toContain('git fetch --unshallow');
  });

  it('a partial clone missing blobs (--filter=blob:none) is refused: E_SHALLOW_REPO naming the refetch', async () => {
    f = createForkFixture({ patches });
    const dir = cloneWith('partial', '--filter=blob:none');
    expect((await checkHistory(run, dir, ['HEAD'])).missing).toBeGreaterThan(0);
    const err = await refusal(configFor(dir));
    expect(err?.code).toBe('E_SHALLOW_REPO');
    expect(err?.message).toContain('git fetch --refetch origin');
  });
});

describe('preflight: an unpushed local trunk commit', () => {
  it('is refused before anything starts (E_TRUNK_AHEAD, the commit listed), nothing fetched into a branch', async () => {
    f = createForkFixture({ patches });
    const wip = commitFiles(f.clone, { 'WIP.md': 'not yet\n' }, 'WIP: do not push');
    const err = await refusal(configFor(f.clone));
    expect(err?.code).toBe('E_TRUNK_AHEAD');
    expect(err?.message).toContain(`${wip.slice(0, 12)} "WIP: do not push"`);
    expect(git(f.originBare, 'rev-parse', f.trunk)).not.toBe(wip);
  });

  it('is the queue when the config says the local trunk is the source (publish.trunkSource: "local"), or nothing is pushed', async () => {
    f = createForkFixture({ patches });
    commitFiles(f.clone, { 'WIP.md': 'ours\n' }, 'fork: local-only patch');
    expect(await refusal(configFor(f.clone, { publish: { trunkSource: 'local' } }))).toBeNull();
    expect(await refusal(configFor(f.clone, { push: { enabled: false } }))).toBeNull();
  });
});
