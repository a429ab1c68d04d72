import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommandLog, ReadTimeout, run } from './process.js';
import { makeTempDir } from './testing/index.js';

/** Is `pid` a live process? A zombie (killed, not yet reaped) counts as gone. */
function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

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
    writeFileSync(script, `#!/bin/sh\nsleep 30 &\necho $! > '${join(dir, 'grandchild.pid')}'\nsleep 30\n`, { mode: 0o755 });
    const started = Date.now();
    const r = await run(script, [], { cwd: dir, timeoutMs: 500 }, new CommandLog());
    // Well short of the 30 s sleeps, with room for a busy machine; the grandchild is gone too.
    expect(Date.now() - started).toBeLessThan(25_000);
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).toBe(124);
    const grandchild = Number(readFileSync(join(dir, 'grandchild.pid'), 'utf8'));
    await expect.poll(() => alive(grandchild), { timeout: 10_000 }).toBe(false);
  });

  it('an abort signal cancels the command', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort('SIGTERM'), 200);
    const started = Date.now();
    const r = await run('sleep', ['30'], { cwd: process.cwd(), signal: ac.signal }, new CommandLog());
    expect(Date.now() - started).toBeLessThan(25_000);
    expect(r.exitCode).toBe(130);
    expect(r.timedOut).toBe(false);
  });

  it('redacts credentials in the command log', async () => {
    const log = new CommandLog();
    await run('git', ['ls-remote', 'https://user:tok3n@127.0.0.1:1/x.git'], { cwd: process.cwd(), timeoutMs: 5_000 }, log);
    expect(JSON.stringify(log.entries)).not.toContain('tok3n');
  });

  describe('a conversation (interact)', () => {
    const line = (pending: string) => (pending.includes('\n') ? pending.indexOf('\n') + 1 : -1);

    it('writes requests and reads each answer before the next, all output kept in the result', async () => {
      const log = new CommandLog();
      const answers: string[] = [];
      const r = await run('sh', ['-c', 'while read l; do echo "got $l"; done'], {
        cwd: process.cwd(),
        interact: async (io) => {
          for (const word of ['a', 'b', 'ünï']) {
            io.write(`${word}\n`);
            answers.push(await io.read(line, 5_000));
          }
        },
      }, log);
      expect(answers).toEqual(['got a\n', 'got b\n', 'got ünï\n']);
      expect(r).toMatchObject({ exitCode: 0, stdout: 'got a\ngot b\ngot ünï\n' });
      expect(log.entries).toHaveLength(1);
    });

    it('fails the result, never throws, when the command ends before answering', async () => {
      const r = await run('sh', ['-c', 'exit 0'], {
        cwd: process.cwd(),
        interact: async (io) => {
          io.write('x\n');
          await io.read(line);
        },
      }, new CommandLog());
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/conversation failed: the command ended before answering/);
    });

    it('gives up a read after its timeout and kills the command when the conversation fails', async () => {
      const started = Date.now();
      let timeout: unknown;
      const r = await run('sleep', ['30'], {
        cwd: process.cwd(),
        interact: async (io) => {
          timeout = await io.read(line, 200).catch((e: unknown) => e);
          throw new Error('giving up');
        },
      }, new CommandLog());
      expect(timeout).toBeInstanceOf(ReadTimeout);
      expect(Date.now() - started).toBeLessThan(25_000);
      expect(r.exitCode).not.toBe(0);
      expect(r.stderr).toMatch(/giving up/);
    });

    it('reports a missing command as a spawn error', async () => {
      const r = await run('definitely-not-a-command', [], { cwd: process.cwd(), interact: async (io) => void (await io.read(line)) }, new CommandLog());
      expect(r).toMatchObject({ exitCode: 127, spawnError: 'ENOENT' });
    });
  });
});
