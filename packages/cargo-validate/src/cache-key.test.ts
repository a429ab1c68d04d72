import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ValidateConfigSchema, type ResolvedConfig } from '@rebase-daily/core';
import { commitFiles, createForkFixture, git, writeFixtureConfig, type ForkFixture } from '@rebase-daily/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeValidateConfig, validateCacheKey } from './cache-key.js';

const treeHashBin = join(import.meta.dirname, '..', 'bin', 'tree-hash.mjs');
let fx: ForkFixture;
beforeAll(() => {
  fx = createForkFixture();
});
afterAll(() => fx.cleanup());

const cfg = (validate: unknown): Pick<ResolvedConfig, 'trunk' | 'validate'> => ({
  trunk: fx.trunk,
  validate: validate === undefined ? undefined : ValidateConfigSchema.parse(validate),
});
const key = async (validate: unknown, toolchain = 'cargo 1.95.0') => (await validateCacheKey(cfg(validate), fx.clone, { toolchain }))?.key;

describe('validateCacheKey', () => {
  it('is stable for the same tree and config, whatever the key order or spelled-out defaults', async () => {
    const a = await key({ cwd: '.' });
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(await key({ cwd: '.' })).toBe(a);
    expect(await key({})).toBe(a);
    expect(await key({ cwd: './', test: ['cargo', 'test', '--all-features'], timeoutSeconds: 3600, extraSteps: [] })).toBe(a);
    // Where cargo builds and which worktree is used do not change the outcome.
    expect(await key({ targetDir: '/elsewhere', worktree: 'dedicated' })).toBe(a);
  });

  it.each([
    ['cwd', { cwd: 'codex-rs' }],
    ['format command', { format: ['cargo', 'fmt', '--all'] }],
    ['format disabled', { format: false }],
    ['test command', { test: ['cargo', 'test'] }],
    ['timeout', { timeoutSeconds: 60 }],
    ['extra step', { extraSteps: [{ name: 'clippy', command: ['cargo', 'clippy'] }] }],
  ])('changes with the config: %s', async (_name, validate) => {
    expect(await key(validate)).not.toBe(await key({}));
  });

  it('changes with the toolchain', async () => {
    expect(await key({}, 'cargo 1.96.0')).not.toBe(await key({}, 'cargo 1.95.0'));
  });

  it('changes with the tree, and comes back when the tree does (a revert replays)', async () => {
    const before = await validateCacheKey(cfg({}), fx.clone, { toolchain: 'x' });
    commitFiles(fx.clone, { 'src/lib.txt': 'changed\n' }, 'change');
    const changed = await validateCacheKey(cfg({}), fx.clone, { toolchain: 'x' });
    expect(changed!.tree).not.toBe(before!.tree);
    expect(changed!.key).not.toBe(before!.key);
    git(fx.clone, 'revert', '--no-edit', 'HEAD');
    const reverted = await validateCacheKey(cfg({}), fx.clone, { toolchain: 'x' });
    expect(reverted!.tree).toBe(before!.tree);
    expect(reverted!.key).toBe(before!.key);
  });

  it('is null without a validate section or when the trunk does not exist', async () => {
    expect(await validateCacheKey(cfg(undefined), fx.clone, { toolchain: 'x' })).toBeNull();
    expect(await validateCacheKey({ trunk: 'no/such-branch', validate: ValidateConfigSchema.parse({}) }, fx.clone, { toolchain: 'x' })).toBeNull();
  });
});

describe('normalizeValidateConfig (plain JS) agrees with the zod schema defaults', () => {
  it.each([{}, { cwd: 'codex-rs' }, { format: false }, { format: ['just', 'fmt'] }, { extraSteps: [{ name: 'x', command: ['a'], timeoutSeconds: 5 }] }])(
    '%j',
    (raw) => {
      expect(normalizeValidateConfig(raw)).toEqual(normalizeValidateConfig(ValidateConfigSchema.parse(raw)));
    },
  );
});

describe('bin/tree-hash.mjs', () => {
  it('prints the same key as validateCacheKey, with plain node and no build', async () => {
    const validate = { cwd: '.', extraSteps: [{ name: 'check', command: ['cargo', 'check'] }] };
    const configPath = writeFixtureConfig(fx, { validate });
    const printed = execFileSync(process.execPath, [treeHashBin, '--config', configPath], { encoding: 'utf8' }).trim();
    const expected = await validateCacheKey(cfg(validate), fx.clone);
    expect(printed).toBe(expected!.key);
  });

  it('prints not-configured without a validate section, and fails on a missing trunk', () => {
    const plain = writeFixtureConfig(fx, {}, join(fx.root, 'plain.json'));
    expect(execFileSync(process.execPath, [treeHashBin, '--config', plain], { encoding: 'utf8' }).trim()).toBe('not-configured');
    const broken = writeFixtureConfig(fx, { trunk: 'no/such-branch', validate: {} }, join(fx.root, 'broken.json'));
    expect(() => execFileSync(process.execPath, [treeHashBin, '--config', broken], { stdio: 'pipe' })).toThrow(/no\/such-branch/);
  });
});
