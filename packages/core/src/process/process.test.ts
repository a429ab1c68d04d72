import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readProcStat } from './holder.js';
import { CommandLog, ReadTimeout, run } from './process.js';
import { makeTempDir } from '../testing/index.js';

/** Is `pid` a live process? A zombie (killed, not yet reaped) counts as gone. */
function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

// A command the seam must kill sleeps far longer than any busy machine takes to kill it: the bound
// tells "killed" from "ran to its end" with minutes to spare, never how fast the machine is.
const SLEEP_S = 300;
const KILLED_WITHIN_MS = 90_000;
const KILL_TEST_TIMEOUT_MS = 120_000;

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
    writeFileSync(script, `#!/bin/sh\nsleep ${SLEEP_S} &\necho $! > '${join(dir, 'grandchild.pid')}'\nsleep ${SLEEP_S}\n`, { mode: 0o755 });
    const started = Date.now();
    const r = await run(script, [], { cwd: dir, timeoutMs: 500 }, new CommandLog());
    // Killed, not run to the end of its sleeps; the grandchild is gone too.
    expect(Date.now() - started).toBeLessThan(KILLED_WITHIN_MS);
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).toBe(124);
    const grandchild = Number(readFileSync(join(dir, 'grandchild.pid'), 'utf8'));
    await expect.poll(() => alive(grandchild), { timeout: KILLED_WITHIN_MS }).toBe(false);
  }, KILL_TEST_TIMEOUT_MS);

  it('an abort signal cancels the command', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort('SIGTERM'), 200);
    const started = Date.now();
    const r = await run('sleep', [String(SLEEP_S)], { cwd: process.cwd(), signal: ac.signal }, new CommandLog());
    expect(Date.now() - started).toBeLessThan(KILLED_WITHIN_MS);
    expect(r.exitCode).toBe(130);
    expect(r.timedOut).toBe(false);
  }, KILL_TEST_TIMEOUT_MS);

  it('writes a start line to the log file before the command runs, paired with its end by id', async () => {
    const file = join(makeTempDir(), 'commands.jsonl');
    const log = new CommandLog(file);
    const r = await run('sh', ['-c', `cat ${JSON.stringify(file)}`], { cwd: process.cwd() }, log);
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { id: expect.any(String), at: expect.any(String), event: 'start', argv: ['sh', '-c', expect.stringContaining('cat')], cwd: process.cwd() },
      expect.objectContaining({ id: lines[0].id, exitCode: 0 }),
    ]);
    // The command itself saw its start line: it was on disk before the spawn.
    expect(r.stdout).toContain(`"id":"${lines[0].id}"`);
    expect(log.entries).toHaveLength(1);
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
      const r = await run('sleep', [String(SLEEP_S)], {
        cwd: process.cwd(),
        interact: async (io) => {
          timeout = await io.read(line, 200).catch((e: unknown) => e);
          throw new Error('giving up');
        },
      }, new CommandLog());
      expect(timeout).toBeInstanceOf(ReadTimeout);
      expect(Date.now() - started).toBeLessThan(KILLED_WITHIN_MS);
      expect(r.exitCode).not.toBe(0);
      expect(r.stderr).toMatch(/giving up/);
    }, KILL_TEST_TIMEOUT_MS);

    it('reports a missing command as a spawn error', async () => {
      const r = await run('definitely-not-a-command', [], { cwd: process.cwd(), interact: async (io) => void (await io.read(line)) }, new CommandLog());
      expect(r).toMatchObject({ exitCode: 127, spawnError: 'ENOENT' });
    });
  });
});

describe('children die with the process that started them (watchdog.ts)', () => {
  // A real second process running the seam from this source (bundled by esbuild): it starts `sh`,
  // which starts a grandchild in the background, then the test kills that process with SIGKILL,
  // alone or with its whole process group, as cron's timeout, an OOM kill or an operator would.
  const seamChild = async (dir: string) => {
    const { build } = await import('esbuild');
    const entry = join(dir, 'child.ts');
    writeFileSync(
      entry,
      `import { run } from ${JSON.stringify(join(__dirname, 'process.ts'))};\n` +
        `void run('sh', ['-c', 'sleep 300 & echo $! > grandchild.pid; echo $$ > child.pid; wait'], { cwd: process.cwd() });\n` +
        `setInterval(() => {}, 1000);\n`,
    );
    await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: join(dir, 'child.mjs'), logLevel: 'silent', banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" } });
    return join(dir, 'child.mjs');
  };
  const gone = (pid: number) => {
    const stat = readProcStat(pid);
    return stat === null || stat.state === 'Z' || stat.state === 'X';
  };
  const waitUntil = async (cond: () => boolean, ms: number) => {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) return false;
      await new Promise((r) => setTimeout(r, 10));
    }
    return true;
  };

  it.each([
    ['the process alone (kill -9 <pid>)', false],
    ['its whole process group (kill -9 -<pgid>)', true],
  ])('killing %s also kills the command and its grandchild (not left to its 300 s sleep)', async (_name, group) => {
    const dir = makeTempDir();
    const script = await seamChild(dir);
    const parent = spawn(process.execPath, [script], { cwd: dir, detached: true, stdio: 'ignore' });
    const pidFile = (name: string) => (existsSync(join(dir, name)) ? Number(readFileSync(join(dir, name), 'utf8')) : 0);
    expect(await waitUntil(() => pidFile('child.pid') > 0 && pidFile('grandchild.pid') > 0, 20_000)).toBe(true);
    const [child, grandchild] = [pidFile('child.pid'), pidFile('grandchild.pid')];
    // The command runs in its own process group (timeouts kill its grandchildren), not the parent's.
    expect(readProcStat(child)?.pgrp).not.toBe(parent.pid);
    process.kill(group ? -parent.pid! : parent.pid!, 'SIGKILL');
    // The watchdog acts on the pipe's EOF, not on a timer: wait for the event with a bound that only
    // tells "killed" from "left to its 300 s sleep" (a busy 2-core machine may take seconds to schedule it).
    const died = await waitUntil(() => gone(child) && gone(grandchild), KILLED_WITHIN_MS);
    if (!died) for (const pid of [child, grandchild]) if (!gone(pid)) process.kill(pid, 'SIGKILL');
    expect(died).toBe(true);
  }, KILL_TEST_TIMEOUT_MS);
});

describe('a command asked for after the run was interrupted', () => {
  it('is not started (a git killed at birth can leave index.lock): exit 130, nothing ran', async () => {
    const dir = makeTempDir();
    const abort = new AbortController();
    abort.abort('SIGINT');
    const r = await run('sh', ['-c', `touch ${join(dir, 'ran')}`], { cwd: dir, signal: abort.signal });
    expect(r).toMatchObject({ exitCode: 130, stderr: '(cancelled: run interrupted before it started; not run)' });
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });
});
