import { describe, expect, it } from 'vitest';
import { parseConfig, type ResolvedConfig } from '@rebase-daily/core';
import { PROMPT_TEMPLATE, renderPrompt } from './render-prompt.js';
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
      `${cli} daily --config ${config.configPath} --json`,
      `${cli} doctor`,
      `${cli} status`,
      // The non-negotiable invariants.
      'Hold the lock before mutating anything',
      'Never leave the repo dirty or mid-rebase',
      '--force-with-lease=refs/heads/<branch>:<expected sha>',
      'Never run `gt sync` without `--no-restack`',
      `Operate only on \`${config.repoPath}\``,
      // The in-chat shapes, the escalation rules, the helpers.
      'Run Summary',
      'Next human actions',
      '.nextActions[0]',
      'Escalation rules (hard stops)',
      'Helper A',
      'Helper B',
      'Helper C',
    ]) {
      expect(text, needle).toContain(needle);
    }
    expect(text).toMatch(new RegExp(`stale after\\s+${config.lock.staleAfterHours} h`));
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
    for (const text of [a, b]) {
      expect(text).not.toMatch(/#\d+\b/); // no PR numbers
      expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}/); // no dated branches
    }
  });
});

describe('conflicts.owner', () => {
  const base = { repo: 'codex', trunk: 'fork/trunk', validate: { cwd: '.' } };
  it.each([
    ['human (the default)', {}, ['you do not resolve conflicts', 'A human owns conflicts on this fork'], ['resolve start', 'Resolution Summary']],
    ['agent', { conflicts: { owner: 'agent' } }, ['conflict resolution is yours', 'resolve start --config', '--authorised-by', 'resolve continue', 'resolve finish', 'resolve abort', 'E_RESOLVE_WOULD_DROP', 'outside the conflicting hunks', 'validation fails after the resolution', 'fork policy decisions doc', 'Resolution Summary — rebase-daily fork/trunk'], ['A human owns conflicts']],
  ])('%s', (_name, extra, present, absent) => {
    const text = renderPrompt(resolved({ ...base, ...extra }, '/srv/rd.json'), { cli: 'npx rebase-daily' });
    expect(text).not.toMatch(/\{\{|\}\}/);
    for (const p of present) expect(text).toContain(p);
    for (const a of absent) expect(text).not.toContain(a);
  });
});
