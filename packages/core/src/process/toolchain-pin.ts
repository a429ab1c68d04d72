import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** rustup's refusal of a pinned toolchain this host lacks: `error: toolchain '1.95.0-x86_64-unknown-linux-gnu' is not installed`. Pure. */
export function missingToolchain(stderr: string): string | null {
  const m = /toolchain '([^']+)' is not installed/.exec(stderr);
  return m ? m[1] : null;
}

/** The pin file rustup reads for `dir`: the nearest `rust-toolchain.toml` or `rust-toolchain` at or above it. */
export function toolchainPinFile(dir: string): string | null {
  for (let d = resolve(dir); ; d = dirname(d)) {
    for (const name of ['rust-toolchain.toml', 'rust-toolchain']) if (existsSync(join(d, name))) return join(d, name);
    if (dirname(d) === d) return null;
  }
}

/** The channel a pin file names (`channel = "1.95.0"`, or the legacy one-line file). */
export function pinnedChannel(text: string): string | null {
  const toml = /^\s*channel\s*=\s*["']([^"']+)["']/m.exec(text);
  if (toml) return toml[1];
  const line = text.trim();
  return line && !line.includes('\n') && !line.includes('=') && !line.startsWith('[') ? line : null;
}

/**
 * When cargo failed because the toolchain the fork pins is not installed here: the message naming
 * the pin file and the command that installs it, else null. The manifest is fine; the host is not.
 */
export function toolchainPinMessage(stderr: string, cwd: string): string | null {
  const missing = missingToolchain(stderr);
  if (!missing) return null;
  const pin = toolchainPinFile(cwd);
  const channel = (pin && pinnedChannel(readFileSync(pin, 'utf8'))) ?? missing;
  return `toolchain '${channel}'${pin ? `, pinned by ${pin},` : ''} is not installed on this host; install it with \`rustup toolchain install ${channel}\`, then rerun`;
}
