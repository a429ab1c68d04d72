/**
 * Parse the combined (stdout + stderr, in arrival order) output of `cargo test`. Cargo prints the
 * `Running …` / `Doc-tests …` headers on stderr and each binary's results on stdout, so only the
 * interleaved log names the binaries: parse the log file, not the two captured streams.
 */

export type TestBinaryKind = 'unit' | 'integration' | 'doc' | 'bench' | 'example' | 'unknown';

export interface TestBinary {
  /** Target name: `alpha` (unit tests of src/lib.rs), `smoke` (tests/smoke.rs), the crate for doc-tests. */
  name: string;
  kind: TestBinaryKind;
  /** Source file cargo names in the header, relative to the package (`src/lib.rs`, `tests/smoke.rs`). */
  source: string | null;
  /** The test executable (`target/debug/deps/alpha-<hash>`). */
  artifact: string | null;
  /** The Cargo package; known from the output for doc-tests and failed binaries, else filled by attribution. */
  crate: string | null;
  /** `incomplete`: the header was printed but no `test result:` line followed (killed, timed out, crashed). */
  status: 'ok' | 'failed' | 'incomplete';
  passed: number;
  failed: number;
  ignored: number;
  measured: number;
  filteredOut: number;
  durationSeconds: number | null;
  failingTests: string[];
  /** `-p alpha --lib`, from cargo's "to rerun pass" hint after a failed binary. */
  rerun: string | null;
}

export interface CompileFailure {
  /** The package that did not compile. */
  crate: string;
  /** `lib test`, `lib`, `test "smoke"`, … as cargo says it; null when absent. */
  target: string | null;
}

export interface Diagnostic {
  /** `E0425`, or null for errors without a code. */
  code: string | null;
  message: string;
  /** `crates/alpha/src/lib.rs:9:13` from the ` --> ` line that follows. */
  location: string | null;
}

export interface CargoTestReport {
  binaries: TestBinary[];
  compileFailures: CompileFailure[];
  /** Compiler errors (`error[E0425]: …`), deduplicated. */
  diagnostics: Diagnostic[];
  totals: { binaries: number; failedBinaries: number; passed: number; failed: number; ignored: number };
  failingTests: { binary: string; crate: string | null; test: string }[];
}

const RUNNING = /^\s*Running (unittests )?(.+?) \((.+)\)\s*$/;
const DOC_TESTS = /^\s*Doc-tests (\S+)\s*$/;
const TEST_LINE = /^test (.+) \.\.\. (ok|FAILED|ignored(?:, .*)?|bench:.*)$/;
const RESULT =
  /^test result: (ok|FAILED)\. (\d+) passed; (\d+) failed; (\d+) ignored; (\d+) measured; (\d+) filtered out(?:; finished in ([\d.]+)s)?/;
const RERUN = /^error: (?:test|doctest|bench) failed, to rerun pass `(.+)`\s*$/;
const COULD_NOT_COMPILE = /^error: could not compile `([^`]+)`(?: \(([^)]+)\))?/;
const DIAGNOSTIC = /^error(?:\[(E\d{4})\])?: (.+)$/;
const NOT_A_DIAGNOSTIC = /^(could not compile|test failed|doctest failed|bench failed|\d+ targets? failed|aborting due to|build failed|no such command)/;
const LOCATION = /^\s*--> (.+)$/;
const FAILURE_NAME = /^ {4}(\S.*)$/;

/** Strip cargo's 16-hex-digit metadata hash (and `.exe`) from a test executable's file name. */
export function binaryStem(artifact: string): string {
  const base = artifact.split(/[\\/]/).pop() ?? artifact;
  return base.replace(/\.exe$/, '').replace(/-[0-9a-f]{16}$/, '');
}

function kindOf(unittests: boolean, source: string): TestBinaryKind {
  if (unittests) return 'unit';
  if (source.startsWith('tests/')) return 'integration';
  if (source.startsWith('benches/')) return 'bench';
  if (source.startsWith('examples/')) return 'example';
  return 'unknown';
}

function newBinary(name: string, kind: TestBinaryKind, source: string | null, artifact: string | null, crate: string | null): TestBinary {
  return {
    name,
    kind,
    source,
    artifact,
    crate,
    status: 'incomplete',
    passed: 0,
    failed: 0,
    ignored: 0,
    measured: 0,
    filteredOut: 0,
    durationSeconds: null,
    failingTests: [],
    rerun: null,
  };
}

/** Parse `cargo test` output (the interleaved log). Pure; tolerant of truncated output. */
export function parseCargoTestOutput(text: string): CargoTestReport {
  // eslint-disable-next-line no-control-regex -- strips ANSI colour codes from a --color=always log
  const lines = text.replace(/\r\n/g, '\n').replace(/\x1b\[[0-9;]*m/g, '').split('\n');
  const binaries: TestBinary[] = [];
  const compileFailures: CompileFailure[] = [];
  const diagnostics: Diagnostic[] = [];
  let current: TestBinary | null = null;
  let lastFinished: TestBinary | null = null;
  // Lines since the last `failures:` header: the final block before `test result:` lists the names.
  let failuresBlock: string[] | null = null;

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    let m: RegExpMatchArray | null;
    if ((m = line.match(RUNNING))) {
      const artifact = m[3];
      current = newBinary(binaryStem(artifact), kindOf(Boolean(m[1]), m[2]), m[2], artifact, null);
      binaries.push(current);
      failuresBlock = null;
    } else if ((m = line.match(DOC_TESTS))) {
      // Doc-tests name the library target (underscored); attribution maps it to the package name.
      current = newBinary(m[1], 'doc', null, null, m[1]);
      binaries.push(current);
      failuresBlock = null;
    } else if ((m = line.match(TEST_LINE))) {
      if (current && m[2] === 'FAILED' && !current.failingTests.includes(m[1])) current.failingTests.push(m[1]);
    } else if (line === 'failures:') {
      failuresBlock = [];
    } else if ((m = line.match(RESULT))) {
      const target = current ?? newBinary('unknown', 'unknown', null, null, null);
      if (!current) binaries.push(target);
      target.status = m[1] === 'ok' ? 'ok' : 'failed';
      target.passed = Number(m[2]);
      target.failed = Number(m[3]);
      target.ignored = Number(m[4]);
      target.measured = Number(m[5]);
      target.filteredOut = Number(m[6]);
      target.durationSeconds = m[7] === undefined ? null : Number(m[7]);
      const names = (failuresBlock ?? []).filter((l) => l.trim().length > 0);
      if (names.length && names.every((l) => FAILURE_NAME.test(l))) {
        for (const l of names) {
          const name = l.trim();
          if (!target.failingTests.includes(name)) target.failingTests.push(name);
        }
      }
      failuresBlock = null;
      lastFinished = target;
      current = null;
    } else if ((m = line.match(RERUN))) {
      const target = lastFinished ?? current;
      if (target) {
        target.rerun = m[1];
        const pkg = m[1].match(/-p (\S+)/);
        if (pkg) target.crate = pkg[1];
      }
    } else if ((m = line.match(COULD_NOT_COMPILE))) {
      if (!compileFailures.some((c) => c.crate === m![1] && c.target === (m![2] ?? null))) compileFailures.push({ crate: m[1], target: m[2] ?? null });
    } else if ((m = line.match(DIAGNOSTIC)) && !NOT_A_DIAGNOSTIC.test(m[2])) {
      const loc = lines[i + 1]?.match(LOCATION);
      const d: Diagnostic = { code: m[1] ?? null, message: m[2], location: loc ? loc[1].trim() : null };
      if (!diagnostics.some((x) => x.code === d.code && x.message === d.message && x.location === d.location)) diagnostics.push(d);
    } else if (failuresBlock) {
      failuresBlock.push(line);
    }
  }

  const failingTests = binaries.flatMap((b) => b.failingTests.map((test) => ({ binary: b.name, crate: b.crate, test })));
  return {
    binaries,
    compileFailures,
    diagnostics,
    totals: {
      binaries: binaries.length,
      failedBinaries: binaries.filter((b) => b.status === 'failed').length,
      passed: sum(binaries, 'passed'),
      failed: sum(binaries, 'failed'),
      ignored: sum(binaries, 'ignored'),
    },
    failingTests,
  };
}

function sum(binaries: TestBinary[], key: 'passed' | 'failed' | 'ignored'): number {
  return binaries.reduce((n, b) => n + b[key], 0);
}
