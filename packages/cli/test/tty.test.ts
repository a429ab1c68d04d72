import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { shellQuote } from '@rebase-daily/core';
import { binPath, cleanupDay, day, type Day } from './helpers.js';

// The CLI in a real pseudo-terminal: util-linux `script` (Debian's bsdutils, always installed)
// gives the child a pty for stdin/stdout/stderr and copies what it printed. Real git fork fixture.
let d: Day | undefined;
afterEach(() => cleanupDay(d));

const ESC = '\u001b[';

/** Run the built CLI under a pty; the transcript with the pty's CRLFs made LF. */
function inPty(args: string[], env: NodeJS.ProcessEnv) {
  const command = [process.execPath, binPath, ...args].map(shellQuote).join(' ');
  const r = spawnSync('script', ['-qefc', command, '/dev/null'], { encoding: 'utf8', env: { ...process.env, TERM: 'xterm-256color', ...env } });
  return { code: r.status, out: r.stdout.replace(/\r\n/g, '\n') };
}

describe('a run in a terminal', () => {
  it('prints the compact summary, coloured; the Markdown stays in summary.md and off a terminal', () => {
    d = day({ upstreamCommits: [{ files: { 'UP.md': 'x\n' }, message: 'upstream: x' }] });
    const env = { NO_COLOR: '' };
    const r = inPty(['daily', '--config', d.configPath], env);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain(`${ESC}1m${ESC}32msuccess`);
    expect(r.out).toMatch(/trunk.*→.*pushed to origin/);
    expect(r.out).not.toContain('| Stage |');
    const summaryPath = /summary\s+(?:\u001b\[[0-9;]*m)*\s*(\S+summary\.md)/.exec(r.out)?.[1];
    expect(summaryPath, r.out).toBeDefined();
    expect(readFileSync(summaryPath!, 'utf8')).toContain('| Stage | Status | Time | Summary |');

    // Off a terminal (a pipe): the Markdown, no colour.
    const piped = spawnSync(process.execPath, [binPath, 'report', '--config', d.configPath], { encoding: 'utf8', env: { ...process.env, ...env } });
    expect(piped.stdout).toContain('| Stage | Status | Time | Summary |');
    expect(piped.stdout).not.toContain(ESC);
  });

  it('with NO_COLOR: the same compact summary, no escape codes anywhere', () => {
    d = day({ upstreamCommits: [{ files: { 'UP.md': 'x\n' }, message: 'upstream: x' }] });
    const r = inPty(['daily', '--config', d.configPath], { NO_COLOR: '1' });
    expect(r.code, r.out).toBe(0);
    expect(r.out).not.toContain(ESC);
    expect(r.out).toMatch(/^success .*\(exit 0\) {2}daily · run /m);
    expect(r.out).toMatch(/^ {2}stages {2,}verify ✓/m);
    expect(r.out).not.toContain('| Stage |');
  });

  it('a conflict day: at most five concrete commands, the first one holds the lock', () => {
    d = day({ upstreamCommits: [{ files: { 'src/lib.txt': 'upstream\n' }, message: 'upstream: change lib' }], patches: [{ files: { 'src/lib.txt': 'fork\n' }, message: 'fork: change lib' }] });
    const r = inPty(['daily', '--config', d.configPath], { NO_COLOR: '1' });
    expect(r.code, r.out).toBe(10);
    const next = r.out.split('\n').filter((l) => /^ {2}\d\. /.test(l));
    expect(next.length).toBeGreaterThan(0);
    expect(next.length).toBeLessThanOrEqual(5);
    expect(next[0]).toMatch(/lock --reason/);
  });
});
