import { relative, dirname } from 'node:path';
import type { CargoTestReport, TestBinary } from './parse-cargo-test.js';

/** The slice of `cargo metadata --no-deps --format-version 1` we read. */
export interface CargoMetadata {
  packages: { name: string; manifest_path: string; targets: { name: string; kind: string[]; src_path: string }[] }[];
}

export interface CrateResult {
  crate: string;
  binaries: number;
  passed: number;
  failed: number;
  ignored: number;
  failingTests: string[];
  status: 'ok' | 'failed' | 'incomplete';
}

const underscore = (s: string) => s.replace(/-/g, '_');

/**
 * Name the package of every test binary: cargo's output names unit-test binaries by target (`alpha`),
 * integration tests by file (`smoke`) and doc-tests by library. Pure; binaries it cannot place keep
 * what the output said (or null).
 */
export function attributeCrates(report: CargoTestReport, metadata: CargoMetadata | null): TestBinary[] {
  return report.binaries.map((b) => {
    if (!metadata) return b;
    const matches = metadata.packages.filter((p) =>
      p.targets.some((t) => {
        if (underscore(t.name) !== underscore(b.name)) return false;
        if (b.kind === 'doc') return t.kind.some((k) => k === 'lib' || k === 'proc-macro' || k.endsWith('lib'));
        if (b.source) return relative(dirname(p.manifest_path), t.src_path).split('\\').join('/') === b.source;
        return true;
      }),
    );
    if (matches.length === 1) return { ...b, crate: matches[0].name };
    return b;
  });
}

/** Per-crate totals, in first-seen order. */
export function crateResults(binaries: TestBinary[]): CrateResult[] {
  const byCrate = new Map<string, CrateResult>();
  for (const b of binaries) {
    const name = b.crate ?? '(unknown)';
    const c = byCrate.get(name) ?? { crate: name, binaries: 0, passed: 0, failed: 0, ignored: 0, failingTests: [], status: 'ok' as const };
    c.binaries += 1;
    c.passed += b.passed;
    c.failed += b.failed;
    c.ignored += b.ignored;
    c.failingTests.push(...b.failingTests.map((t) => (b.kind === 'unit' || b.kind === 'doc' ? t : `${b.name}::${t}`)));
    if (b.status === 'failed') c.status = 'failed';
    else if (b.status === 'incomplete' && c.status === 'ok') c.status = 'incomplete';
    byCrate.set(name, c);
  }
  return [...byCrate.values()];
}
