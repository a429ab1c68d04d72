// The validate cache key, in plain JavaScript so `bin/tree-hash.mjs` runs with bare node (no build)
// and `src/cache-key.ts` computes the very same key. One implementation, two callers.
import { createHash } from 'node:crypto';
import { posix } from 'node:path';

/** Bump when the key's ingredients change, so old entries can never match new semantics. */
export const CACHE_KEY_VERSION = 1;

const DEFAULT_TEST = ['cargo', 'test', '--all-features'];
const DEFAULT_TIMEOUT_SECONDS = 3600;

/**
 * The parts of the `validate` config that can change a validation's outcome, with the schema's
 * defaults applied (so `{}` and the spelled-out defaults share a key). `targetDir` and `worktree`
 * are left out on purpose: where cargo builds does not change whether the tree passes.
 */
export function normalizeValidateConfig(raw) {
  const v = raw ?? {};
  const cwd = posix.normalize(String(v.cwd ?? '.').replace(/\\/g, '/')).replace(/\/+$/, '') || '.';
  return {
    cwd,
    format: v.format === false ? false : Array.isArray(v.format) ? [...v.format] : 'auto',
    test: Array.isArray(v.test) ? [...v.test] : [...DEFAULT_TEST],
    extraSteps: (v.extraSteps ?? []).map((s) => ({ name: s.name, command: [...s.command], timeoutSeconds: s.timeoutSeconds ?? null })),
    timeoutSeconds: v.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
  };
}

/** JSON with object keys sorted, so key order in the config file never changes the hash. */
export function stableStringify(value) {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => value[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableStringify(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * sha256 over (key version, tree object id, normalized validate config, toolchain line).
 * Different trees can never share a key: the tree id is the first ingredient.
 */
export function computeValidateCacheKey({ tree, validate, toolchain }) {
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(tree)) throw new Error(`not a tree object id: ${tree}`);
  const material = stableStringify({ v: CACHE_KEY_VERSION, tree, validate: normalizeValidateConfig(validate), toolchain: toolchain ?? null });
  return createHash('sha256').update(material).digest('hex');
}
