import { describe, expect, it } from 'vitest';
import { EXIT, parseConfig, type ResolvedConfig } from '@rebase-daily/core';
import { DOCS } from '../docs/render-docs.js';
import { PROMPT_TEMPLATE, renderPrompt, renderSections } from './render-prompt.js';
import { placeholdersOf } from '../render/template.js';
import { promptValues } from '../render/values.js';

const resolved = (raw: unknown, path: string): ResolvedConfig => {
  const r = parseConfig(raw, path);
  if (!r.ok) throw new Error(r.errors.join('; '));
  return r.config;
};

// Two forks that share nothing: every value in the rendered prompt must come from its own config.
const configs: [string, ResolvedConfig, string][] = [
  [
    'a Graphite + Cargo fork',
    resolved(
      {
        repo: 'codex',
        trunk: 'codex/integration-upstream-main',
        mirror: 'main',
        remotes: { fork: 'origin', upstream: 'upstream' },
        version: { manifest: 'codex-rs/Cargo.toml', suffix: '-rawr.1' },
        graphite: {},
        validate: { cwd: 'codex-rs' },
      },
      '/srv/forks/rebase-daily.json',
    ),
    'npx rebase-daily',
  ],
  [
    'a plain fork without Graphite or validation',
    resolved({ repo: '.', trunk: 'fork/trunk', mirror: 'mirror', upstreamBranch: 'master', remotes: { fork: 'mine', upstream: 'theirs' }, push: { enabled: false }, lock: { staleAfterHours: 3 } }, '/home/me/other/rd.json'),
    'node /opt/rd/packages/cli/dist/bin.js',
  ],
];

describe('renderPrompt', () => {
  it('the template only uses placeholders the config fills', () => {
    const values = promptValues(configs[0][1], { cli: 'x' });
    expect(placeholdersOf(PROMPT_TEMPLATE).filter((p) => !(p in values))).toEqual([]);
  });

  it.each(configs)('%s: no placeholder survives, invariants and shapes are present', (_name, config, cli) => {
    const text = renderPrompt(config, { cli });
    expect(text).not.toMatch(/\{\{|\}\}/);
    for (const needle of [
      config.repoPath,
      config.configPath,
      config.trunk,
      config.mirror,
      `${config.remotes.upstream}/${config.upstreamBranch}`,
      `rebase-daily daily --config ${config.configPath} --json`,
      'rebase-daily doctor',
      'rebase-daily status',
      // The non-negotiable invariants.
      'Hold the lock before mutating anything',
      'Never leave the repo dirty or mid-rebase',
      '--force-with-lease=refs/heads/<branch>:<expected sha>',
      `Operate only on \`${config.repoPath}\``,
      // The in-chat shapes, the escalation rules, the helpers.
      'Run Summary',
      'Next human actions',
      '.nextActions[0]',
      'Escalation rules (hard stops)',
    ]) {
      expect(text, needle).toContain(needle);
    }
    expect(text).toMatch(new RegExp(`stale after\\s+${config.lock.staleAfterHours} h`));
  });

  it.each(configs)('%s: the invocation is defined once, every command uses the short name', (_name, config, cli) => {
    const text = renderPrompt(config, { cli });
    expect(text.split(`\`${cli}\``)).toHaveLength(2);
    expect(text).toContain(`On this machine \`rebase-daily\` means \`${cli}\``);
    if (cli.startsWith('node ')) expect(text).not.toContain(`${cli} `);
    expect(text.match(/`rebase-daily [a-z]+ --config/g)!.length).toBeGreaterThan(5);
  });

  it('renders what differs between the two configs, and nothing cycle-specific', () => {
    const [a, b] = configs.map(([, c, cli]) => renderPrompt(c, { cli }));
    expect(a).toContain('Graphite: configured');
    expect(a).toContain('`-rawr.1`');
    expect(a).toContain('in `codex-rs`');
    expect(b).toContain('Graphite: not configured');
    expect(b).toContain('pushing is disabled');
    expect(b).toContain('Validation: not configured');
    expect(b).not.toContain('codex');
    // Only what the config turns on: Graphite's invariants, exit 13 and the helpers with Graphite;
    // exit 14 and the tests line with validation.
    for (const graphiteOnly of ['Never run `gt sync` without `--no-restack`', 'discover descendants from Graphite', '| 13 | `graphite-failed`', 'Graphite alignment failed', '- restack:', 'Optional read-only helpers', 'Helper A', 'Helper C']) {
      expect(a, graphiteOnly).toContain(graphiteOnly);
      expect(b, graphiteOnly).not.toContain(graphiteOnly);
    }
    for (const validateOnly of ['| 14 | `validation-failed`', 'tests or formatting failed', '- tests:', 'Helper B']) {
      expect(a, validateOnly).toContain(validateOnly);
      expect(b, validateOnly).not.toContain(validateOnly);
    }
    for (const text of [a, b]) {
      expect(text).not.toMatch(/\n\n\n/); // a dropped section leaves no gap
      expect(text).not.toMatch(/#\d+\b/); // no PR numbers
      expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}/); // no dated branches
    }
  });
});

describe('conflicts.owner', () => {
  const base = { repo: 'codex', trunk: 'fork/trunk', validate: { cwd: '.' } };
  it.each([
    ['human (the default)', {}, ['you do not resolve conflicts', 'A human owns conflicts on this fork'], ['resolve start', 'Resolution Summary']],
    ['agent', { conflicts: { owner: 'agent' } }, ['conflict resolution is yours', 'resolve start --config', '--authorised-by', 'resolve continue', 'resolve finish', 'resolve abort', 'E_RESOLVE_WOULD_DROP', 'outside the conflicting hunks', 'validation still fails after you fixed', 'resolve fixup <patch>', 'resolve edit <patch>', '--accept <gate>', 'exit 17', 'fork policy decisions doc', 'Resolution Summary — rebase-daily fork/trunk'], ['A human owns conflicts']],
  ])('%s', (_name, extra, present, absent) => {
    const text = renderPrompt(resolved({ ...base, ...extra }, '/srv/rd.json'), { cli: 'npx rebase-daily' });
    expect(text).not.toMatch(/\{\{|\}\}/);
    for (const p of present) expect(text).toContain(p);
    for (const a of absent) expect(text).not.toContain(a);
  });
});

describe('engines', () => {
  const base = { repo: 'codex', trunk: 'fork/trunk' };
  it.each([
    ['memory', ['`memory`: replays the queue in memory', 'runs no `git rebase`', 'compare-and-swap `git update-ref`'], ['`worktree`:']],
    ['worktree', ['`worktree`: runs `git rebase` on a detached HEAD in a temporary worktree'], ['`memory`:']],
    ['auto', ['`auto`: the memory engine', 'unless the repository needs the worktree engine'], []],
  ])('engine %s: the prompt says what it does', (engine, present, absent) => {
    const text = renderPrompt(resolved({ ...base, engine }, '/srv/rd.json'), { cli: 'npx rebase-daily' }).replace(/\s+/g, ' ');
    // Invariant 2 describes both engines whatever the config; the config line names this one.
    expect(text).toContain('the **memory** engine replays the patch queue in the object database');
    expect(text).toContain('the **worktree** engine runs `git rebase` on a detached HEAD in a temporary');
    expect(text).not.toContain('The only plain `git rebase` of a real branch');
    for (const p of present) expect(text).toContain(p);
    for (const a of absent) expect(text).not.toContain(a);
  });
});

describe('renderSections', () => {
  it.each([
    ['kept', 'a\n{{#if x}}\nb\n{{/if}}\nc\n', { x: true }, 'a\nb\nc\n'],
    ['dropped', 'a\n{{#if x}}\nb\n{{/if}}\nc\n', { x: false }, 'a\nc\n'],
    ['nested, inner dropped', '{{#if x}}\na\n{{#if y}}\nb\n{{/if}}\nc\n{{/if}}\n', { x: true, y: false }, 'a\nc\n'],
    ['nested, outer dropped', '{{#if x}}\na\n{{#if y}}\nb\n{{/if}}\n{{/if}}\nz\n', { x: false, y: true }, 'z\n'],
    ['no sections', 'plain {{value}}\n', {}, 'plain {{value}}\n'],
  ])('%s', (_name, text, flags, out) => {
    expect(renderSections(text, flags)).toBe(out);
  });

  it.each([
    ['an unknown flag', '{{#if nope}}\nx\n{{/if}}\n', /section without a flag: nope/],
    ['an unclosed section', '{{#if x}}\nx\n', /unbalanced/],
  ])('%s is an internal error', (_name, text, message) => {
    expect(() => renderSections(text, { x: true })).toThrow(message);
  });
});

describe('the prompt and the docs agree per exit code, for both conflicts.owner values', () => {
  // The runbook's table: `| code | \`outcome\` | …`; the prompt's: `   | code | \`outcome\` | what you do |`.
  const rows = (text: string) => new Map([...text.matchAll(/^\s*\|\s*(\d+)\s*\|\s*`([^`]+)`[^|]*\|([^\n]*)$/gm)].map((m) => [Number(m[1]), { outcome: m[2], rest: m[3] }]));
  const runbook = rows(DOCS['runbook.md']);
  const base = { repo: 'codex', trunk: 'fork/trunk', validate: { cwd: '.' }, graphite: {} };
  it.each([
    ['human', 'hard stop'],
    ['agent', 'follow Conflict resolution'],
  ] as const)('conflicts.owner %s', (owner, onConflict) => {
    const text = renderPrompt(resolved({ ...base, conflicts: { owner } }, '/srv/rd.json'), { cli: 'npx rebase-daily' });
    const prompt = rows(text);
    for (const code of Object.values(EXIT)) {
      expect(prompt.get(code), `prompt row for exit ${code}`).toBeDefined();
      // The same outcome name in the prompt and the runbook (the prompt may list two for exit 0).
      expect(prompt.get(code)!.outcome, `exit ${code}`).toBe(runbook.get(code)!.outcome);
    }
    for (const code of [EXIT.verifyConflict, EXIT.applyConflict]) expect(prompt.get(code)!.rest).toContain(onConflict);
    const escalation = text.slice(text.indexOf('## Escalation rules'), text.indexOf('## In-chat output'));
    if (owner === 'agent') {
      // No "stop and do nothing else on a conflict" for the owner of conflicts; its stops are the gates (18).
      expect(escalation).toMatch(/conflict\*\* \(exit 10 or 11\) — not a hard stop on this fork/);
      expect(text).toContain('rebase-daily resolve start');
      expect(text).not.toMatch(/Only `rebase-daily apply` \(inside `rebase-daily daily`\)\s+moves it/);
    } else {
      expect(escalation).toMatch(/conflict\*\* \(exit 10 or 11\) — conflict resolution is a human's job/);
      expect(text).not.toContain('rebase-daily resolve start');
    }
    expect(prompt.get(EXIT.notReady)!.rest).toMatch(/rerun the same command/);
    expect(prompt.get(EXIT.gate)!.rest).toMatch(/hard stop/);
    expect(DOCS['runbook.md']).toMatch(/### Exit 17: not ready yet[\s\S]*rerun the same command/);
    expect(DOCS['fork-policy-decisions.md']).toMatch(/`conflicts.owner`: `human`[\s\S]*`agent`/);
  });
});
