import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errors, EXIT, RebaseDailyError } from '@rebase-daily/core';
import { COMMANDS, DOCS, PROMPT_TEMPLATE, RESOLVE_PROCEDURE, flagNames } from '../src/index.js';
import { workspaceRoot } from './helpers.js';

// The docs and the prompt name commands, flags, exit codes, report fields and error codes. These
// tests fail when one of those stops existing in the code (or a new one is left undocumented).
const texts: [string, string][] = [...Object.entries(DOCS).map(([n, t]) => [`docs/${n}`, t] as [string, string]), ['prompt/template.md', PROMPT_TEMPLATE], ['prompt/resolve-procedure.md', RESOLVE_PROCEDURE]];
const reportSchema = JSON.parse(readFileSync(join(workspaceRoot, 'packages', 'report', 'report.schema.json'), 'utf8'));

/** Inline code spans and fenced blocks: where commands are written. */
function codeOf(text: string): string[] {
  const fenced = [...text.matchAll(/```[^\n]*\n([\s\S]*?)```/g)].map((m) => m[1]);
  const rest = text.replace(/```[^\n]*\n[\s\S]*?```/g, '');
  const inline = [...rest.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);
  return [...fenced.flatMap((f) => f.split('\n')), ...inline];
}

/** `rebase-daily <cmd> …flags` invocations (also through `{{cli}}` in the prompt). */
function invocations(text: string): { command: string; flags: string[] }[] {
  const out: { command: string; flags: string[] }[] = [];
  for (const code of codeOf(text)) {
    for (const m of code.matchAll(/(?:\brebase-daily|\{\{cli\}\})\s+([a-z][\w-]*)([^|;&>`]*)/g)) {
      out.push({ command: m[1], flags: [...m[2].matchAll(/(?<![\w-])--[a-z][\w-]*/g)].map((f) => f[0]) });
    }
  }
  return out;
}

/** jq-style report paths: `.conflict.files`, `<.shas.before.trunk …>`, `.stages[].data.drift`. */
function reportFields(text: string): string[] {
  return [...text.matchAll(/(?<=[`<\s(])\.([a-z][A-Za-z]*(?:\[\d*\]|\.[A-Za-z]\w*)*)(?=[`>\s,)])/g)].map((m) => m[1]);
}

const GIT_PUSH = /\bgit(?:\s+-C\s+\S+)?\s+push\b/g;

/** Every `git push` written as a command: inline code, or a fenced line joined with its `\\` continuations. */
function pushCommands(text: string): string[] {
  const fenced = [...text.matchAll(/```[^\n]*\n([\s\S]*?)```/g)].flatMap((m) => m[1].replace(/\\\n\s*/g, ' ').split('\n'));
  const rest = text.replace(/```[^\n]*\n[\s\S]*?```/g, '');
  const inline = [...rest.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);
  return [...fenced, ...inline].filter((c) => new RegExp(GIT_PUSH.source).test(c));
}

/** Why a push command is not explicitly leased (null: it is): a lease per pushed branch, each naming a SHA. */
function unleased(command: string): string | null {
  const leased = new Set([...command.matchAll(/--force-with-lease=refs\/heads\/([^:\s]+):(\S+)/g)].map((m) => m[1]));
  if (leased.size === 0) return 'no --force-with-lease=refs/heads/<branch>:<sha>';
  if (/(?:^|\s)(?:--force|-f)(?=\s|$)|--force-with-lease(?!=)|--force-with-lease=[^:\s]+(?=\s|$)/.test(command)) return 'a bare --force or a lease without an explicit SHA';
  const pushed = [...command.matchAll(/\S+:refs\/heads\/(\S+)/g)].map((m) => m[1]);
  const missing = pushed.filter((b) => !leased.has(b));
  return missing.length ? `no lease for ${missing.join(', ')}` : null;
}

describe('unleased (the push-lease rule of the docs)', () => {
  it.each([
    ['git push --atomic --force-with-lease=refs/heads/t:abc <r> <new>:refs/heads/t', null],
    ['git -C <repo> push --force-with-lease=refs/heads/<trunk>:<sha> <fork-remote> <new>:refs/heads/<trunk>', null],
    ['git push origin main', 'no --force-with-lease=refs/heads/<branch>:<sha>'],
    ['git push --force-with-lease origin main', 'no --force-with-lease=refs/heads/<branch>:<sha>'],
    ['git push --force-with-lease=refs/heads/t:abc --force <r> <n>:refs/heads/t', 'a bare --force or a lease without an explicit SHA'],
    ['git push --force-with-lease=refs/heads/t:abc <r> <n>:refs/heads/t <u>:refs/heads/main', 'no lease for main'],
  ])('%s', (command, why) => {
    expect(unleased(command)).toBe(why);
  });
});

function resolveField(schema: any, path: string): boolean {
  let node = schema;
  for (const part of path.split(/\.|(?=\[)/)) {
    if (!node) return false;
    if (node.anyOf) node = node.anyOf.find((s: any) => s.type === 'object' || s.type === 'array') ?? node.anyOf[0];
    if (/^\[\d*\]$/.test(part)) {
      if (node.type !== 'array') return false;
      node = node.items;
      continue;
    }
    if (node.type === 'object' && node.properties && part in node.properties) node = node.properties[part];
    else if (node.type === 'object' && node.additionalProperties && !node.properties) return true; // free-form stage data
    else return false;
  }
  return true;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'node_modules' || name === 'testing' ? [] : sourceFiles(p);
    return /\.ts$/.test(name) && !/\.test\.ts$/.test(name) ? [p] : [];
  });
}

const CATALOGS = [
  { name: 'errors', file: join(workspaceRoot, 'packages', 'core', 'src', 'errors', 'errors.ts') },
  { name: 'graphiteErrors', file: join(workspaceRoot, 'packages', 'graphite', 'src', 'errors.ts') },
];

/** `key → code` for each entry of an error catalog object (`export const <name> = { key: (…) => … 'E_X' … }`). */
function catalogEntries(source: string, name: string): { key: string; code: string }[] {
  const start = source.indexOf(`export const ${name} = {`);
  if (start < 0) throw new Error(`no catalog ${name}`);
  const body = source.slice(start, source.indexOf('\n}', start));
  return [...body.matchAll(/^ {2}(\w+):([\s\S]*?)(?=^ {2}\w+:|(?![\s\S]))/gm)].map((m) => ({ key: m[1], code: /'(E_[A-Z_]+)'/.exec(m[2])?.[1] ?? '' }));
}

/** Non-test sources of every package, the catalogs left out. */
const producingSources = readdirSync(join(workspaceRoot, 'packages'))
  .flatMap((p) => sourceFiles(join(workspaceRoot, 'packages', p, 'src')))
  .filter((f) => !CATALOGS.some((c) => c.file === f))
  .map((f) => ({ file: f, text: readFileSync(f, 'utf8') }));

/**
 * Where `code` is produced: a call of a catalog entry that makes it (`errors.dirtyTree(`), or the
 * code written in place as a value (`code: 'E_X'`, `RebaseDailyError('E_X'`, `? 'E_X' :`) — a
 * comparison (`=== 'E_X'`) produces nothing.
 */
function producersIn(code: string, catalogs: { name: string; text: string }[], sources: { file: string; text: string }[]): string[] {
  const keys = catalogs.flatMap((c) => catalogEntries(c.text, c.name).filter((e) => e.code === code).map((e) => new RegExp(`\\b${c.name}\\.${e.key}\\b`)));
  const made = new RegExp(`(?:[:(?]|\\?\\?)\\s*'${code}'`);
  return sources.filter(({ text }) => keys.some((k) => k.test(text)) || made.test(text)).map((s) => s.file);
}
const producers = (code: string) => producersIn(code, CATALOGS.map((c) => ({ name: c.name, text: readFileSync(c.file, 'utf8') })), producingSources);

/**
 * Test files that make things happen and assert the error code that came out — every test of every
 * package except the ones that only read or render text (this file; the prompt renderer's test,
 * which checks the prompt names the codes; the report builder's, which feeds recorded errors in).
 */
const TEXT_ONLY_TESTS = ['docs-sync.test.ts', 'render-prompt.test.ts', 'build-report.test.ts'];
function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'node_modules' || name === 'dist' ? [] : testFiles(p);
    return /\.test\.ts$/.test(name) && !TEXT_ONLY_TESTS.includes(name) ? [p] : [];
  });
}
const behaviourTests = readdirSync(join(workspaceRoot, 'packages'))
  .flatMap((p) => testFiles(join(workspaceRoot, 'packages', p)))
  .map((f) => ({ file: f, text: readFileSync(f, 'utf8') }));
/** The behaviour tests that name `code` (as a word: `E_CONFIG` is not found inside `E_CONFIG_INVALID`). */
const assertedBy = (code: string) => behaviourTests.filter((t) => new RegExp(`\\b${code}\\b`).test(t.text)).map((t) => t.file);

describe('error catalogs', () => {
  it.each(CATALOGS)('every entry of $name is used by some package (no code that nothing can produce)', ({ name, file }) => {
    const entries = catalogEntries(readFileSync(file, 'utf8'), name);
    expect(entries.length).toBeGreaterThan(5);
    for (const { key, code } of entries) {
      expect(code, `${name}.${key} names no E_ code`).toMatch(/^E_/);
      expect(producers(code), `${name}.${key} (${code}) is never used`).not.toEqual([]);
    }
  });

  it.each([
    ['a catalog entry in use', "  x: () => new RebaseDailyError('E_X_USED', 'm'),", 'throw errors.x();', true],
    ['a catalog entry nothing calls', "  x: () => new RebaseDailyError('E_X_USED', 'm'),", 'const y = 1;', false],
    ['a code only compared against', "  x: () => new RebaseDailyError('E_X_OTHER', 'm'),", "if (e.code === 'E_X_USED') return;", false],
    ['a code made in place', "  x: () => new RebaseDailyError('E_X_OTHER', 'm'),", "return { errors: [{ code: 'E_X_USED', message: 'm' }] };", true],
  ])('the producer check: %s → E_X_USED produced = %s', (_label, entry, use, produced) => {
    const catalog = { name: 'errors', text: `export const errors = {\n${entry}\n};\n` };
    expect(catalogEntries(catalog.text, 'errors')).toEqual([{ key: 'x', code: /'(E_X_\w+)'/.exec(entry)![1] }]);
    expect(producersIn('E_X_USED', [catalog], [{ file: 'probe.ts', text: use }]).length > 0).toBe(produced);
  });
});

describe.each(texts)('%s stays in sync with the code', (_name, text) => {
  it('names only commands that exist, with flags that exist', () => {
    const flags = new Set(flagNames());
    for (const { command, flags: used } of invocations(text)) {
      expect(Object.keys(COMMANDS).concat('help'), `rebase-daily ${command}`).toContain(command);
      for (const f of used) expect([...flags], `${f} in \`rebase-daily ${command}\``).toContain(f);
    }
  });

  it('writes every `git push` as a command with an explicit-SHA lease per branch', () => {
    const commands = pushCommands(text);
    // A `git push` in prose (outside code) would escape the lease check: there are none.
    expect(commands.length, 'every git push is written as code').toBe((text.match(GIT_PUSH) ?? []).length);
    for (const c of commands) expect(unleased(c), c).toBeNull();
  });

  it('names only report.json fields the schema has', () => {
    for (const field of reportFields(text)) expect(resolveField(reportSchema, field), `.${field}`).toBe(true);
  });

  it('names only error codes some package produces (a catalog entry in use, or made in place)', () => {
    for (const code of new Set(text.match(/\bE_[A-Z][A-Z_]+\b/g) ?? [])) expect(producers(code), code).not.toEqual([]);
  });

  it('names only error codes that a behaviour test makes happen (a real run asserting that code came out)', () => {
    for (const code of new Set(text.match(/\bE_[A-Z][A-Z_]+\b/g) ?? [])) expect(assertedBy(code), `${code}: no test makes it happen`).not.toEqual([]);
  });

  it('every exit code in its tables exists in core', () => {
    const codes = [...text.matchAll(/^\|\s*(\d+)\s*\|/gm)].map((m) => Number(m[1]));
    for (const c of codes) expect(Object.values(EXIT), `exit ${c}`).toContain(c);
  });
});

describe('the runbook documents everything there is', () => {
  const runbook = DOCS['runbook.md'];
  const table = runbook.slice(runbook.indexOf('### Stop conditions and exit codes'), runbook.indexOf('### Cleanup expectations'));

  it('its exit-code table is exactly core EXIT', () => {
    const documented = [...table.matchAll(/^\|\s*(\d+)\s*\|/gm)].map((m) => Number(m[1])).sort((a, b) => a - b);
    expect(documented).toEqual([...Object.values(EXIT)].sort((a, b) => a - b));
  });

  it('has a recovery section for every non-zero exit code', () => {
    for (const code of Object.values(EXIT).filter((c) => c !== 0)) expect(runbook).toMatch(new RegExp(`^### Exit ${code}:`, 'm'));
  });

  it('names every command and every flag', () => {
    const used = new Set(invocations(runbook).map((i) => i.command));
    for (const c of Object.keys(COMMANDS)) expect([...used], c).toContain(c);
    for (const f of flagNames()) expect(runbook, f).toContain(`\`${f}`);
  });

  it('states the contract sentences the plan requires', () => {
    expect(runbook).toContain('No descendants: the restack is skipped');
    expect(runbook).toContain('Scheduled runs run the full validation suite');
    expect(DOCS['fork-policy-decisions.md']).toContain('Scheduled daily runs\nrun the full suite automatically');
    expect(DOCS['fork-policy-decisions.md']).toContain('The single allowed plain `git rebase`');
    expect(DOCS['UPDATING.md']).toContain('Manual fallback (same invariants)');
  });

  it('the prompt covers every exit code', () => {
    const codes = [...PROMPT_TEMPLATE.matchAll(/^\s*\|\s*(\d+)\s*\|/gm)].map((m) => Number(m[1])).sort((a, b) => a - b);
    expect(codes).toEqual([...Object.values(EXIT)].sort((a, b) => a - b));
  });

  it('the Graphite memo cites official Graphite pages', () => {
    const memo = DOCS['graphite-practices.md'];
    const cited = memo.match(/https:\/\/(docs\.)?graphite\.dev\/\S+/g) ?? [];
    expect(cited.length).toBeGreaterThanOrEqual(5);
    for (const heading of ['Why:', 'When:', 'How']) expect(memo).toContain(heading);
  });

  it('the bundled docs are the files in docs/', () => {
    for (const [name, text] of Object.entries(DOCS)) expect(readFileSync(join(workspaceRoot, 'docs', name), 'utf8')).toBe(text);
  });
});

describe('the sync checkers catch drift', () => {
  it.each([
    ['`rebase-daily frobnicate`', 'command'],
    ['`rebase-daily daily --dry-run`', 'flag'],
  ])('%s', (snippet, kind) => {
    const [inv] = invocations(snippet);
    if (kind === 'command') expect(Object.keys(COMMANDS)).not.toContain(inv.command);
    else expect(flagNames()).not.toContain(inv.flags[0]);
  });

  it.each([
    ['conflict.files', true],
    ['shas.before.trunk', true],
    ['stages[].data.drift', true],
    ['nextActions[0]', true],
    ['conflict.filez', false],
    ['outcomes', false],
  ])('report field .%s → %s', (field, ok) => {
    expect(resolveField(reportSchema, field)).toBe(ok);
  });
});

describe('gotchas.md: the table of bad inputs', () => {
  const gotchas = DOCS['gotchas.md'];
  const start = gotchas.indexOf('## Bad input and what it gets');
  const section = gotchas.slice(start, gotchas.indexOf('\n## ', start + 1) === -1 ? undefined : gotchas.indexOf('\n## ', start + 1));
  const rows = [...section.matchAll(/^\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|\s*(\d+)\s*\|\s*`(E_[A-Z_]+)`\s*\|\s*([^|]+?)\s*\|$/gm)].map((m) => ({
    kind: m[1],
    input: m[2],
    exit: Number(m[3]),
    code: m[4],
    message: m[5],
  }));
  const sources = readdirSync(join(workspaceRoot, 'packages'))
    .flatMap((p) => sourceFiles(join(workspaceRoot, 'packages', p, 'src')))
    .map((f) => ({ file: f, text: readFileSync(f, 'utf8') }));

  /** The catalog's code and exit code per entry, found by calling each constructor. */
  const catalog = new Map<string, { key: string; exitCode: number }>();
  for (const [key, make] of Object.entries(errors) as [string, (...args: unknown[]) => RebaseDailyError][]) {
    for (const args of [Array.from({ length: make.length || 2 }, () => ['x']), Array.from({ length: make.length || 2 }, () => 'x')]) {
      try {
        const err = make(...args);
        catalog.set(err.code, { key, exitCode: err.exitCode });
        break;
      } catch {
        // try the other argument shape
      }
    }
  }

  it('exists, with the three kinds of bad input', () => {
    expect(start).toBeGreaterThan(-1);
    expect(section).toContain('| Kind | Bad input | Exit | Code | What it says |');
    expect(rows.length).toBeGreaterThanOrEqual(20);
    expect(new Set(rows.map((r) => r.kind))).toEqual(new Set(['config', 'flag', 'repo state']));
    // Every table row parsed (a malformed row would silently escape the checks below).
    const tableLines = section.split('\n').filter((l) => l.startsWith('|') && !l.startsWith('| Kind') && !l.startsWith('| ---'));
    expect(tableLines.length).toBe(rows.length);
  });

  it.each(rows.map((r) => [r.input, r]))('%s: its exit code exists and its error code is thrown by reachable code with that exit code', (_input, row) => {
    expect(Object.values(EXIT)).toContain(row.exit);
    const entry = catalog.get(row.code);
    if (entry) {
      expect(entry.exitCode, `${row.code} exits ${entry.exitCode} in the catalog`).toBe(row.exit);
      // Called somewhere outside the catalog itself.
      const callers = sources.filter((s) => !s.file.endsWith(join('core', 'src', 'errors', 'errors.ts')) && new RegExp(`\\b(errors|graphiteErrors)\\.${entry.key}\\(`).test(s.text));
      expect(callers.map((s) => s.file), `errors.${entry.key}( is never called`).not.toEqual([]);
    } else {
      const throwers = sources.filter((s) => s.text.includes(`'${row.code}'`));
      expect(throwers.map((s) => s.file), `${row.code} is produced nowhere`).not.toEqual([]);
    }
  });

  it('the checker catches a code nobody throws', () => {
    expect(catalog.has('E_NOPE')).toBe(false);
    expect(sources.some((s) => s.text.includes("'E_NOPE'"))).toBe(false);
  });
});
