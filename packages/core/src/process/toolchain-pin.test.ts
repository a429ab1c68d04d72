import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/index.js';
import { missingToolchain, pinnedChannel, toolchainPinMessage } from './toolchain-pin.js';

// Captured from rustup 1.28 (cargo metadata in a crate whose rust-toolchain.toml names an absent toolchain).
const RUSTUP = "error: toolchain '1.42.1-x86_64-unknown-linux-gnu' is not installed\nhelp: run `rustup toolchain install` to install it\n\nStack backtrace:\n   0: anyhow::error\n";

describe('a toolchain pin this host lacks', () => {
  it.each([
    [RUSTUP, '1.42.1-x86_64-unknown-linux-gnu'],
    ['error: failed to parse manifest at `/x/Cargo.toml`', null],
    ['', null],
  ])('missingToolchain(%j) → %s', (stderr, want) => expect(missingToolchain(stderr)).toBe(want));

  it.each([
    ['[toolchain]\nchannel = "1.95.0"\n', '1.95.0'],
    ["[toolchain]\nchannel = 'nightly-2026-01-01'\ncomponents = [\"rustfmt\"]\n", 'nightly-2026-01-01'],
    ['1.80.0\n', '1.80.0'],
    ['[toolchain]\n', null],
  ])('pinnedChannel(%j) → %s', (text, want) => expect(pinnedChannel(text)).toBe(want));

  it('names the pin file above the cargo directory and the rustup command', () => {
    const root = makeTempDir();
    mkdirSync(join(root, 'codex-rs', 'core'), { recursive: true });
    writeFileSync(join(root, 'codex-rs', 'rust-toolchain.toml'), '[toolchain]\nchannel = "1.95.0"\n');
    expect(toolchainPinMessage(RUSTUP, join(root, 'codex-rs', 'core'))).toBe(
      `toolchain '1.95.0', pinned by ${join(root, 'codex-rs', 'rust-toolchain.toml')}, is not installed on this host; install it with \`rustup toolchain install 1.95.0\`, then rerun`,
    );
    expect(toolchainPinMessage('error: something else', root)).toBeNull();
  });
});
