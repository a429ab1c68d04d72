import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crateResults } from './attribute-crates.js';
import { parseCargoTestOutput } from './parse-cargo-test.js';
import { attributeByBuiltTargets, packageNameOf, parseBuiltTargets } from './test-executables.js';

// Real `cargo test --all-features --no-run --message-format=json-render-diagnostics` stdout on
// fixtures/workspace (CARGO_TARGET_DIR=/tmp/cvtarget, as cargo-test-pass.txt was captured).
const fixture = (name: string) => readFileSync(join(import.meta.dirname, '__fixtures__', name), 'utf8');
const built = parseBuiltTargets(fixture('cargo-test-no-run.jsonl'));

describe('packageNameOf', () => {
  it.each([
    ['path+file:///tmp/cvexp/crates/alpha#0.1.0', 'alpha'],
    ['path+file:///w/crates/beta-dir#beta@0.1.0', 'beta'],
    ['registry+https://github.com/rust-lang/crates.io-index#serde@1.0.219', 'serde'],
    ['git+https://github.com/o/r?branch=main#my-crate@0.2.0', 'my-crate'],
    ['alpha 0.1.0 (path+file:///w/crates/alpha)', 'alpha'],
  ])('%s → %s', (id, name) => {
    expect(packageNameOf(id)).toBe(name);
  });
});

describe('parseBuiltTargets', () => {
  it('reads every artifact: libs, and test executables with their package', () => {
    expect(built.map((t) => `${t.crate}:${t.target}:${t.kind.join('+')}:${t.test ? 'test' : 'build'}:${t.executable ?? '-'}`)).toEqual([
      'alpha:alpha:lib:build:-',
      'beta:beta:lib:build:-',
      'beta:smoke:test:test:/tmp/cvtarget/debug/deps/smoke-d20c48e8ecd95796',
      'beta:beta:lib:test:/tmp/cvtarget/debug/deps/beta-7d49864b762d5251',
      'alpha:alpha:lib:test:/tmp/cvtarget/debug/deps/alpha-bac8def28e72d19d',
    ]);
  });

  it.each([
    ['not JSON', 'warning: something\n'],
    ['other messages', '{"reason":"build-finished","success":true}\n{"reason":"compiler-message","package_id":"x#1.0.0"}\n'],
    ['a truncated line', '{"reason":"compiler-artifact","package_id":"path+file:///w/a#0.1.0","tar'],
  ])('skips %s', (_name, text) => {
    expect(parseBuiltTargets(text)).toEqual([]);
  });
});

describe('attributeByBuiltTargets', () => {
  it('names every binary of a real run exactly, doc-tests by their library', () => {
    const binaries = attributeByBuiltTargets(parseCargoTestOutput(fixture('cargo-test-pass.txt')).binaries, built, '/tmp/cvexp');
    expect(binaries.map((b) => `${b.crate}:${b.kind}:${b.name}`)).toEqual(['alpha:unit:alpha', 'beta:unit:beta', 'beta:integration:smoke', 'alpha:doc:alpha', 'beta:doc:beta']);
    expect(crateResults(binaries).map((c) => `${c.crate} ${c.status} ${c.passed}/${c.failed}/${c.ignored}`)).toEqual(['alpha ok 3/0/1', 'beta ok 2/0/0']);
  });

  it('tells apart two packages with the same integration-test file (cargo metadata cannot), relative paths resolved from cwd', () => {
    const log = [
      '     Running tests/smoke.rs (target/debug/deps/smoke-1111111111111111)',
      'test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s',
      '     Running tests/smoke.rs (target/debug/deps/smoke-2222222222222222)',
      'test result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s',
    ].join('\n');
    const targets = [
      { crate: 'one', target: 'smoke', kind: ['test'], test: true, executable: '/w/target/debug/deps/smoke-1111111111111111' },
      { crate: 'two', target: 'smoke', kind: ['test'], test: true, executable: '/w/target/debug/deps/smoke-2222222222222222' },
    ];
    const binaries = attributeByBuiltTargets(parseCargoTestOutput(log).binaries, targets, '/w');
    expect(binaries.map((b) => `${b.crate} ${b.passed}`)).toEqual(['one 1', 'two 2']);
  });

  it('leaves a binary it did not build unattributed', () => {
    const binaries = attributeByBuiltTargets(parseCargoTestOutput(fixture('cargo-test-killed.txt')).binaries, built, '/tmp/cvexp');
    expect(binaries.map((b) => b.crate)).toEqual(['alpha', 'beta', null]);
  });
});
