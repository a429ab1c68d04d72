import { describe, expect, it } from 'vitest';
import { buildArgvFor } from './run-test-step.js';
import { onePipeArgv } from './run-step.js';

describe('buildArgvFor (the --no-run build that names each test executable\'s package)', () => {
  it.each([
    [['cargo', 'test', '--all-features'], ['/c/cargo', 'test', '--no-run', '--message-format=json-render-diagnostics', '--all-features']],
    [['cargo', 'test', '-p', 'alpha', '--release', '--', '--ignored'], ['/c/cargo', 'test', '--no-run', '--message-format=json-render-diagnostics', '-p', 'alpha', '--release']],
    [['cargo', 'test', '--no-fail-fast'], ['/c/cargo', 'test', '--no-run', '--message-format=json-render-diagnostics', '--no-fail-fast']],
    // Not a plain `cargo test`: run as configured, attribute from cargo metadata.
    [['cargo', 'test', '--doc'], null],
    [['cargo', 'test', '--no-run'], null],
    [['cargo', 'test', '--message-format=short'], null],
    [['cargo', 'nextest', 'run'], null],
    [['just', 'test'], null],
  ])('%j', (configured, expected) => {
    const resolved = [configured[0] === 'cargo' ? '/c/cargo' : `/bin/${configured[0]}`, ...configured.slice(1)];
    expect(buildArgvFor(resolved, configured)).toEqual(expected);
  });

  it('a `--` after the args is for the test binaries, not the build', () => {
    expect(buildArgvFor(['/c/cargo', 'test', '--', '--no-run'], ['cargo', 'test', '--', '--no-run'])).toEqual(['/c/cargo', 'test', '--no-run', '--message-format=json-render-diagnostics']);
  });
});

describe('onePipeArgv', () => {
  it('passes the argv through untouched as "$@" of a fixed sh script', () => {
    expect(onePipeArgv(['/c/cargo', 'test', "it's; rm -rf /"])).toEqual(['/bin/sh', ['-c', 'exec "$@" 2>&1', 'sh', '/c/cargo', 'test', "it's; rm -rf /"]]);
  });
});
