import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git } from '@rebase-daily/core/testing';
import { day, spawnCli, type Day } from './helpers.js';

// Secrets stay secret: a push URL with a token, a token in http.extraHeader, and GH_TOKEN /
// GITHUB_TOKEN in the environment. Every command's stdout and stderr, and every file the runs
// wrote (the scratch dir, anything new beside the repo), is searched for the secret values.
// The values are fake, shaped like real ones.
const URL_TOKEN = `ghp_${'R3d4ct'.repeat(6)}`; // token-shaped, also GITHUB_TOKEN
const GH_TOKEN = 'plain-secret-4c1d9e7a'; // not token-shaped: only the environment says it is secret
const HEADER_TOKEN = 'xyzzy-header-secret-0987654321';
const SECRETS = [URL_TOKEN, GH_TOKEN, HEADER_TOKEN, 'bot:ghp_'];

let d: Day | undefined;
afterEach(() => d?.fixture.cleanup());

/**
 * Every file under `dir` with its mtime, outside git's own databases (`.git` of the clone, the bare
 * remotes): what the tool writes is its scratch dir and anything beside the repo.
 */
function files(dir: string, out = new Map<string, number>()): Map<string, number> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) {
      if (name === '.git' || name.endsWith('.git')) continue;
      files(p, out);
    } else out.set(p, st.mtimeMs);
  }
  return out;
}

describe('secrets never reach an output', () => {
  it('doctor, status, prompt, daily, verify: stdout, stderr and every file written hold no secret', async () => {
    d = day({ upstreamCommits: [{ files: { 'UP.md': 'upstream\n' }, message: 'upstream: new file' }], patches: [{ files: { 'FORK.md': 'fork\n' }, message: `fork: use ${GH_TOKEN} in CI` }] });
    const clone = d.fixture.clone;
    // Fetch still works through the file path; only the push URL carries the credentials.
    git(clone, 'remote', 'set-url', '--push', 'origin', `https://bot:${URL_TOKEN}@127.0.0.1:9/x.git`);
    git(clone, 'remote', 'set-url', '--push', 'upstream', 'no_push');
    git(clone, 'config', 'http.extraHeader', `Authorization: Bearer ${HEADER_TOKEN}`);
    const env = { GH_TOKEN, GITHUB_TOKEN: URL_TOKEN, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0' };
    const before = files(d.fixture.root);

    const printed: Record<string, string> = {};
    const codes: Record<string, number | null> = {};
    for (const args of [
      ['doctor'],
      ['doctor', '--json'],
      ['status'],
      ['status', '--json'],
      ['prompt'],
      ['prompt', '--json'],
      ['verify'],
      ['daily', '--json'],
      ['daily'],
      ['report', '--json'],
      ['status', '--json'],
    ]) {
      const { done } = spawnCli([...args, '--config', d.configPath], env);
      const r = await done;
      const key = args.join(' ');
      printed[`${key} (stdout)`] = (printed[`${key} (stdout)`] ?? '') + r.stdout;
      printed[`${key} (stderr)`] = (printed[`${key} (stderr)`] ?? '') + r.stderr;
      codes[key] = r.code;
    }
    // The runs really ran and really met the secret: doctor printed the push URL (redacted), the
    // push was tried against it and failed, the report exists.
    expect(printed['doctor --json (stdout)']).toContain('https://***@127.0.0.1:9/x.git');
    expect(codes.daily).not.toBe(0);
    expect(codes.verify).toBe(0);
    expect(printed['daily --json (stdout)']).toContain('"reportPath"');
    expect(printed['prompt (stdout)'].length).toBeGreaterThan(100);

    for (const [where, text] of Object.entries(printed)) for (const s of SECRETS) expect(text.includes(s), `${s} in ${where}`).toBe(false);

    const written = [...files(d.fixture.root)].filter(([f, mtime]) => before.get(f) !== mtime).map(([f]) => f);
    expect(written.some((f) => f.includes(`${join(clone, '.scratch')}/`) && f.endsWith('report.json'))).toBe(true);
    expect(written.some((f) => f.endsWith('commands.jsonl'))).toBe(true);
    expect(written.some((f) => f.endsWith('state.json'))).toBe(true);
    for (const file of written) {
      const text = readFileSync(file, 'latin1');
      for (const s of SECRETS) expect(text.includes(s), `${s} in ${file}`).toBe(false);
    }
  }, 180_000);
});
