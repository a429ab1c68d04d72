import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommandLog, run } from './process.js';
import { makeTempDir } from './testing/index.js';

describe('run (the process seam)', () => {
  it('returns one result shape for success and failure, never throws', async () => {
    const log = new CommandLog();
    const ok = await run('git', ['--version'], { cwd: process.cwd() }, log);
    expect(ok).toMatchObject({ command: 'git', args: ['--version'], exitCode: 0, timedOut: false });
    expect(ok.stdout).toMatch(/^git version/);
    const bad = await run('git', ['rev-parse', '--verify', 'no-such-ref'], { cwd: makeTempDir() }, log);
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr.length).toBeGreaterThan(0);
    const missing = await run('definitely-not-a-command', [], { cwd: process.cwd() }, log);
    expect(missing).toMatchObject({ exitCode: 127, spawnError: 'ENOENT' });
    expect(log.entries).toHaveLength(3);
    expect(log.entries[1].stderr).toBeTruthy();
  });

  it('a timeout kills the whole process group, grandchildren included', async () => {
    const dir = makeTempDir();
    const script = join(dir, 'spawns.sh');
    // The child starts a grandchild that keeps stdout open; only a group kill ends it promptly.
    writeFileSync(script, '#!/bin/sh\nsleep 30 &\nsleep 30\n', { mode: 0o755 });
    const started = Date.now();
    const r = await run(script, [], { cwd: dir, timeoutMs: 500 }, new CommandLog());
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).toBe(124);
  });

  it('an abort signal cancels the command', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort('SIGTERM'), 200);
    const started = Date.now();
    const r = await run('sleep', ['30'], { cwd: process.cwd(), signal: ac.signal }, new CommandLog());
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(r.exitCode).toBe(130);
    expect(r.timedOut).toBe(false);
  });

  it('redacts credentials in the command log', async () => {
    const log = new CommandLog();
    await run('git', ['ls-remote', 'https://user:tok3n@127.0.0.1:1/x.git'], { cwd: process.cwd(), timeoutMs: 5_000 }, log);
    expect(JSON.stringify(log.entries)).not.toContain('tok3n');
  });
});
