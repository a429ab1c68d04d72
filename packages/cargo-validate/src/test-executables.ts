import { isAbsolute, resolve } from 'node:path';
import type { TestBinary } from './parse-cargo-test.js';

/** One target cargo built, from a `compiler-artifact` message of `cargo test --no-run --message-format=json`. */
export interface BuiltTarget {
  /** The Cargo package (from `package_id`). */
  crate: string;
  /** Target name as Cargo.toml has it (`alpha`, `smoke`). */
  target: string;
  kind: string[];
  /** The test executable, for test-profile artifacts (unit, integration, bench, example tests). */
  executable: string | null;
  test: boolean;
}

/**
 * The package name in a package id: `path+file:///w/crates/alpha#0.1.0` (name = last path segment),
 * `path+file:///w/x#alpha@0.1.0`, `registry+https://…#serde@1.0.0`, or the legacy `alpha 0.1.0 (path+file:///…)`.
 */
export function packageNameOf(packageId: string): string | null {
  const legacy = packageId.match(/^(\S+) \S+ \(/);
  if (legacy) return legacy[1];
  const hash = packageId.lastIndexOf('#');
  if (hash < 0) return packageId.split('/').filter(Boolean).pop() ?? null;
  const fragment = packageId.slice(hash + 1);
  const at = fragment.indexOf('@');
  if (at > 0) return fragment.slice(0, at);
  // `#0.1.0`: a bare version; the name is the last segment of the URL's path.
  if (/^\d/.test(fragment)) {
    const url = packageId.slice(0, hash).replace(/\?.*$/, '');
    return url.split('/').filter(Boolean).pop() ?? null;
  }
  return fragment || null;
}

/**
 * Read the JSON messages of `cargo test --no-run --message-format=json…` (stdout, one per line).
 * Pure; lines that are not JSON or not artifacts are skipped.
 */
export function parseBuiltTargets(stdout: string): BuiltTarget[] {
  const out: BuiltTarget[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    let m: { reason?: string; package_id?: string; target?: { name?: string; kind?: string[] }; profile?: { test?: boolean }; executable?: string | null };
    try {
      m = JSON.parse(line) as typeof m;
    } catch {
      continue;
    }
    if (m.reason !== 'compiler-artifact' || !m.package_id || !m.target?.name) continue;
    const crate = packageNameOf(m.package_id);
    if (!crate) continue;
    out.push({ crate, target: m.target.name, kind: m.target.kind ?? [], executable: m.executable ?? null, test: m.profile?.test === true });
  }
  return out;
}

const underscore = (s: string) => s.replace(/-/g, '_');
const isLib = (kind: string[]) => kind.some((k) => k === 'lib' || k === 'proc-macro' || k.endsWith('lib'));

/**
 * Name the package of every test binary from what cargo built: a binary by its exact executable
 * (`Running … (<executable>)`, relative to `cwd` when cargo printed it relative), doc-tests by the
 * library target they name. Binaries not found keep what they had, so the caller can try another way.
 */
export function attributeByBuiltTargets(binaries: TestBinary[], built: BuiltTarget[], cwd: string): TestBinary[] {
  const byExecutable = new Map<string, string>();
  for (const t of built) if (t.test && t.executable) byExecutable.set(resolve(t.executable), t.crate);
  return binaries.map((b) => {
    if (b.artifact) {
      const crate = byExecutable.get(isAbsolute(b.artifact) ? resolve(b.artifact) : resolve(cwd, b.artifact));
      return crate ? { ...b, crate } : b;
    }
    if (b.kind === 'doc') {
      const crates = new Set(built.filter((t) => isLib(t.kind) && underscore(t.target) === underscore(b.name)).map((t) => t.crate));
      return crates.size === 1 ? { ...b, crate: [...crates][0] } : b;
    }
    return b;
  });
}
