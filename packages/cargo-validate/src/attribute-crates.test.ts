import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attributeCrates, crateResults, type CargoMetadata } from './attribute-crates.js';
import { parseCargoTestOutput } from './parse-cargo-test.js';

// Real `cargo metadata --no-deps` (trimmed to the fields we read) and real `cargo test` output of fixtures/workspace.
const fixture = (name: string) => readFileSync(join(import.meta.dirname, '__fixtures__', name), 'utf8');
const metadata = JSON.parse(fixture('cargo-metadata.json')) as CargoMetadata;

describe('attributeCrates + crateResults', () => {
  it.each([
    ['cargo-test-pass.txt', ['alpha ok 3/0/1', 'beta ok 2/0/0']],
    ['cargo-test-fail-no-fail-fast.txt', ['alpha failed 2/1/1 tests::adds', 'beta failed 1/1/0 smoke::smoke']],
    ['cargo-test-doctest-fail.txt', ['alpha failed 2/1/1 crates/alpha/src/lib.rs - add (line 5)', 'beta ok 2/0/0']],
    // tests/hang.rs is not in the captured metadata: metadata attribution cannot place it (the stage
    // places it exactly from the --no-run build; see test-executables.test.ts).
    ['cargo-test-killed.txt', ['alpha ok 2/0/1', 'beta ok 1/0/0', '(unknown) incomplete 0/0/0']],
  ])('%s', (file, expected) => {
    const crates = crateResults(attributeCrates(parseCargoTestOutput(fixture(file)), metadata));
    expect(crates.map((c) => `${c.crate} ${c.status} ${c.passed}/${c.failed}/${c.ignored}${c.failingTests.length ? ` ${c.failingTests.join(',')}` : ''}`)).toEqual(expected);
  });

  it('leaves binaries it cannot place as the output named them', () => {
    const binaries = attributeCrates(parseCargoTestOutput(fixture('cargo-test-pass.txt')), null);
    expect(binaries.map((b) => b.crate)).toEqual([null, null, null, 'alpha', 'beta']);
  });
});
