import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { binaryStem, parseCargoTestOutput } from './parse-cargo-test.js';

// Real output of `cargo test --all-features` (cargo 1.95) on fixtures/workspace, captured once.
const captured = (name: string) => readFileSync(join(import.meta.dirname, '__fixtures__', name), 'utf8');

describe('parseCargoTestOutput on captured cargo output', () => {
  it.each([
    {
      file: 'cargo-test-pass.txt',
      binaries: ['unit:alpha:ok', 'unit:beta:ok', 'integration:smoke:ok', 'doc:alpha:ok', 'doc:beta:ok'],
      totals: { binaries: 5, failedBinaries: 0, passed: 5, failed: 0, ignored: 1 },
      failing: [],
      compile: [],
    },
    {
      file: 'cargo-test-fail.txt',
      binaries: ['unit:alpha:failed'],
      totals: { binaries: 1, failedBinaries: 1, passed: 1, failed: 1, ignored: 1 },
      failing: ['alpha/alpha::tests::adds'],
      compile: [],
    },
    {
      file: 'cargo-test-fail-no-fail-fast.txt',
      binaries: ['unit:alpha:failed', 'unit:beta:ok', 'integration:smoke:failed', 'doc:alpha:ok', 'doc:beta:ok'],
      totals: { binaries: 5, failedBinaries: 2, passed: 3, failed: 2, ignored: 1 },
      failing: ['alpha/alpha::tests::adds', 'beta/smoke::smoke'],
      compile: [],
    },
    {
      file: 'cargo-test-doctest-fail.txt',
      binaries: ['unit:alpha:ok', 'unit:beta:ok', 'integration:smoke:ok', 'doc:alpha:failed'],
      totals: { binaries: 4, failedBinaries: 1, passed: 4, failed: 1, ignored: 1 },
      failing: ['alpha/alpha::crates/alpha/src/lib.rs - add (line 5)'],
      compile: [],
    },
    {
      file: 'cargo-test-compile-error.txt',
      binaries: [],
      totals: { binaries: 0, failedBinaries: 0, passed: 0, failed: 0, ignored: 0 },
      failing: [],
      compile: ['alpha (lib test)', 'alpha (lib)'],
    },
    {
      // A real killed run: tests/hang.rs sleeps, the step's 15 s timeout killed cargo and the binary
      // (process group) mid-run. That binary has a header and no `test result:` line.
      file: 'cargo-test-killed.txt',
      binaries: ['unit:alpha:ok', 'unit:beta:ok', 'integration:hang:incomplete'],
      totals: { binaries: 3, failedBinaries: 0, passed: 3, failed: 0, ignored: 1 },
      failing: [],
      compile: [],
    },
  ])('$file', ({ file, binaries, totals, failing, compile }) => {
    const report = parseCargoTestOutput(captured(file));
    expect(report.binaries.map((b) => `${b.kind}:${b.name}:${b.status}`)).toEqual(binaries);
    expect(report.totals).toEqual(totals);
    expect(report.failingTests.map((f) => `${f.crate}/${f.binary}::${f.test}`)).toEqual(failing);
    expect(report.compileFailures.map((c) => `${c.crate} (${c.target})`)).toEqual(compile);
  });

  it('reads the compiler error code, message and location', () => {
    expect(parseCargoTestOutput(captured('cargo-test-compile-error.txt')).diagnostics).toEqual([
      { code: 'E0425', message: 'cannot find value `undefined_thing` in this scope', location: 'crates/alpha/src/lib.rs:9:13' },
    ]);
  });

  it('keeps per-binary counts, duration, source and rerun hint', () => {
    const [alpha, , smoke] = parseCargoTestOutput(captured('cargo-test-fail-no-fail-fast.txt')).binaries;
    expect(alpha).toMatchObject({ source: 'src/lib.rs', passed: 1, failed: 1, ignored: 1, durationSeconds: 0.16, rerun: '-p alpha --lib', crate: 'alpha' });
    expect(smoke).toMatchObject({ source: 'tests/smoke.rs', rerun: '-p beta --test smoke', crate: 'beta', failingTests: ['smoke'] });
    expect(alpha.artifact).toMatch(/debug\/deps\/alpha-[0-9a-f]{16}$/);
  });
});

describe('parseCargoTestOutput on hand-cut edge cases', () => {
  it.each([
    ['empty output', '', []],
    ['a header with no result (killed)', '     Running unittests src/lib.rs (target/debug/deps/x-0123456789abcdef)\n\nrunning 2 tests\ntest a ... ok\n', ['incomplete']],
    ['ANSI colours', '\x1b[32mtest result: ok\x1b[0m. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s', ['ok']],
  ])('%s', (_name, text, statuses) => {
    expect(parseCargoTestOutput(text).binaries.map((b) => b.status)).toEqual(statuses);
  });

  it.each([
    ['target/debug/deps/alpha-bac8def28e72d19d', 'alpha'],
    ['C:\\t\\debug\\deps\\my_tool-0123456789abcdef.exe', 'my_tool'],
    ['target/debug/deps/no-hash', 'no-hash'],
  ])('binaryStem(%s) = %s', (artifact, stem) => {
    expect(binaryStem(artifact)).toBe(stem);
  });
});
