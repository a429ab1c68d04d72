import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '@rebase-daily/core';
import { cliRoot, workspaceRoot } from './helpers.js';

// Issue 12: one end-to-end test through the CLI per exit code and per documented error code that can
// occur. This file fails when a code the docs name has no CLI test that asserts it, unless it is in
// NOT_THROUGH_CLI below with the reason it cannot be made to occur there.

/**
 * Documented codes no CLI test makes occur, each with why. Keep it short and honest: a code listed
 * here that a CLI test does assert fails this file (remove the entry).
 */
const NOT_THROUGH_CLI: Record<string, string> = {
  E_UNVALIDATED_TREE: 'both CLI paths hand the publish gate the evidence of the validation they just ran on that tree; a mismatched tree is made in packages/git/src/gate/publish-gate.test.ts',
};

/** Helpers of the CLI tests that assert their exit-code and error-code arguments (exit code, envelope and report.json). */
const ASSERTING_HELPERS = ['expectRun'];

/** Where codes are documented: docs/, the READMEs, the agent prompt and resolve procedure. */
const DOC_FILES = [
  ...readdirSync(join(workspaceRoot, 'docs')).filter((n) => n.endsWith('.md')).map((n) => join(workspaceRoot, 'docs', n)),
  join(workspaceRoot, 'README.md'),
  ...readdirSync(join(workspaceRoot, 'packages')).map((p) => join(workspaceRoot, 'packages', p, 'README.md')).filter((f) => {
    try {
      readFileSync(f);
      return true;
    } catch {
      return false;
    }
  }),
  ...readdirSync(join(cliRoot, 'src', 'prompt')).filter((n) => n.endsWith('.md')).map((n) => join(cliRoot, 'src', 'prompt', n)),
];

function documentedCodes(texts: string[]): string[] {
  return [...new Set(texts.flatMap((t) => t.match(/\bE_[A-Z][A-Z0-9_]+\b/g) ?? []))].sort();
}

/** Comments removed: a code named in a comment asserts nothing. */
function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\\w])\/\/.*$/gm, '$1');
}

/** Index of the bracket closing the one opened at `open` (strings skipped, roughly). */
function closing(text: string, open: number): number {
  const pairs: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
  const stack: string[] = [];
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'" || ch === '"' || ch === '`') {
      for (i++; i < text.length && text[i] !== ch; i++) if (text[i] === '\\') i++;
      continue;
    }
    if (pairs[ch]) stack.push(pairs[ch]);
    else if (ch === stack[stack.length - 1]) {
      stack.pop();
      if (!stack.length) return i;
    }
  }
  return text.length;
}

/** Top-level elements of an array literal's inside, split at depth-0 commas. */
function elements(inside: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < inside.length; i++) {
    const ch = inside[i];
    if (ch === "'" || ch === '"' || ch === '`') {
      for (i++; i < inside.length && inside[i] !== ch; i++) if (inside[i] === '\\') i++;
    } else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (ch === ',' && depth === 0) {
      out.push(inside.slice(start, i));
      start = i + 1;
    }
  }
  if (inside.slice(start).trim()) out.push(inside.slice(start));
  return out.map((e) => e.trim());
}

/** The statement around `index`: from the previous `;`, `=> {` or `) {` to the next `;`. */
function statementAt(text: string, index: number): { text: string; at: number } {
  const before = text.slice(0, index);
  const start = Math.max(before.lastIndexOf(';'), before.lastIndexOf('=> {'), before.lastIndexOf(') {')) + 1;
  const end = text.indexOf(';', index);
  return { text: text.slice(start, end < 0 ? undefined : end), at: index - start };
}

/** `literal` at `at` of `stmt` is an argument of a positive matcher of an expect, or of an asserting helper. */
function assertedInStatement(stmt: string, at: number): boolean {
  const head = stmt.slice(0, at);
  if (ASSERTING_HELPERS.some((h) => new RegExp(`\\b${h}\\(`).test(head))) return true;
  if (!/\bexpect\(/.test(head)) return false;
  const matchers = [...head.matchAll(/(\.not)?\.to[A-Z]\w*\(/g)];
  const last = matchers[matchers.length - 1];
  return Boolean(last) && !last[1];
}

/**
 * The literal is a cell of an `it.each`/`describe.each` table, and the test body asserts the
 * parameter that cell binds (`.toBe(exit)`, `.toContain(code)`, `expectRun(…, code)`).
 */
function assertedInTable(source: string, index: number): boolean {
  for (const m of source.matchAll(/\b(?:it|describe)\.each\(/g)) {
    const open = m.index! + m[0].length - 1;
    const close = closing(source, open);
    if (index < open || index > close) continue;
    const tableOpen = source.indexOf('[', open);
    const rows = elements(source.slice(tableOpen + 1, closing(source, tableOpen)));
    let rowStart = tableOpen + 1;
    let column = -1;
    for (const row of rows) {
      const at = source.indexOf(row, rowStart);
      rowStart = at + row.length;
      if (index < at || index >= at + row.length || !row.startsWith('[')) continue;
      const cells = elements(row.slice(1, row.lastIndexOf(']')));
      let cellStart = at + 1;
      cells.forEach((cell, i) => {
        const c = source.indexOf(cell, cellStart);
        cellStart = c + cell.length;
        if (index >= c && index < c + cell.length) column = i;
      });
    }
    if (column < 0) return false;
    const rest = source.slice(close + 1);
    const params = /^\s*\(\s*(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`|\w+)\s*,\s*(?:async\s*)?\(([^)]*)\)\s*=>/.exec(rest);
    if (!params) return false;
    const name = params[1].split(',')[column]?.trim().replace(/[:=].*$/, '').trim();
    if (!name || !/^\w+$/.test(name)) return false;
    const body = rest.slice(params[0].length, closing(rest, rest.indexOf('{', params[0].length)));
    return new RegExp(`(?<!\\.not)\\.to[A-Z]\\w*\\(\\s*${name}\\s*[,)]|\\b(?:${ASSERTING_HELPERS.join('|')})\\([^;]*\\b${name}\\s*[,)]`).test(body);
  }
  return false;
}

/** Whether `source` (a CLI test file) asserts the error code `code`. */
function assertsErrorCode(source: string, code: string): boolean {
  const text = stripComments(source);
  for (const m of text.matchAll(new RegExp(`\\b${code}\\b`, 'g'))) {
    const { text: stmt, at } = statementAt(text, m.index!);
    if (assertedInStatement(stmt, at) || assertedInTable(text, m.index!)) return true;
  }
  return false;
}

/** Whether `source` asserts that a run exited with `exit`: `expect(r.code).toBe(13)`, `exitCode: 13`, `expectRun(…, 13, …)`, or a table cell bound to such an assertion. */
function assertsExitCode(source: string, exit: number): boolean {
  const text = stripComments(source);
  const direct = [
    new RegExp(`\\bexpect\\([^;]*\\b(?:code|exitCode|status)\\b[^;]*?\\)\\s*\\.to(?:Be|Equal)\\(\\s*${exit}\\s*\\)`),
    new RegExp(`\\bexpect\\([^;]*\\)\\s*\\.to(?:MatchObject|Equal|StrictEqual)\\([^;]*\\bexitCode:\\s*${exit}\\b`),
    new RegExp(`\\b(?:${ASSERTING_HELPERS.join('|')})\\([^;]*?\\],\\s*${exit}\\s*,`),
  ];
  if (direct.some((re) => re.test(text))) return true;
  return [...text.matchAll(new RegExp(`(?<![\\w.])${exit}(?![\\w.])`, 'g'))].some((m) => assertedInTable(text, m.index!));
}

/** CLI end-to-end tests: test files that run the CLI (in-process `cli`/`main`, or the built bin). */
const e2eFiles = readdirSync(join(cliRoot, 'test'))
  .filter((n) => n.endsWith('.test.ts') && !['docs-sync.test.ts', 'e2e-coverage.test.ts'].includes(n))
  .map((n) => ({ name: n, text: readFileSync(join(cliRoot, 'test', n), 'utf8') }))
  .filter((f) => /\b(cli|spawnCli|main|rd)\(|\bbinPath\b|harness\.mjs/.test(f.text));

const documented = documentedCodes(DOC_FILES.map((f) => readFileSync(f, 'utf8')));

describe('every documented error code occurs in a CLI end-to-end test that asserts it', () => {
  it('the docs name codes (the scan works)', () => {
    expect(documented.length).toBeGreaterThan(20);
    expect(documented).toContain('E_DIRTY_TREE');
    expect(e2eFiles.map((f) => f.name)).toContain('error-codes-e2e.test.ts');
  });

  it.each(documented)('%s', (code) => {
    const asserting = e2eFiles.filter((f) => assertsErrorCode(f.text, code)).map((f) => f.name);
    if (code in NOT_THROUGH_CLI) {
      expect(asserting, `${code} is asserted by ${asserting.join(', ')}: remove it from NOT_THROUGH_CLI`).toEqual([]);
    } else {
      expect(asserting, `${code} is documented but no CLI end-to-end test asserts it: add one (see error-codes-e2e.test.ts), or list it in NOT_THROUGH_CLI with the reason`).not.toEqual([]);
    }
  });

  it('NOT_THROUGH_CLI lists only documented codes, each with a one-line reason', () => {
    for (const [code, reason] of Object.entries(NOT_THROUGH_CLI)) {
      expect(documented, `${code} is not documented: drop it from the list`).toContain(code);
      expect(reason.length).toBeGreaterThan(20);
      expect(reason).not.toContain('\n');
    }
    expect(Object.keys(NOT_THROUGH_CLI).length).toBeLessThanOrEqual(3);
  });
});

describe('every exit code occurs in a CLI end-to-end test that asserts it', () => {
  it.each(Object.entries(EXIT))('%s (%i)', (_name, exit) => {
    expect(e2eFiles.filter((f) => assertsExitCode(f.text, exit)).map((f) => f.name), `exit ${exit}`).not.toEqual([]);
  });
});

describe('the detector has teeth', () => {
  it.each([
    ['a positive matcher', "expect(r.json.errors[0].code).toBe('E_X_Y');", true],
    ['inside toMatchObject', "expect(r.json).toMatchObject({\n  errors: [{ code: 'E_X_Y' }],\n});", true],
    ['a regex over stderr', 'expect(r.stderr).toMatch(/^rebase-daily: E_X_Y: /);', true],
    ['an asserting helper', "const { report } = await expectRun(d, ['daily'], 1, 'E_X_Y');", true],
    ['a negated matcher', "expect(r.json.errors[0].code).not.toBe('E_X_Y');", false],
    ['only inside the subject', "expect(runs.filter((x) => x.errors.join() !== 'E_X_Y')).toEqual([]);", false],
    ['only in a comment', "// never E_X_Y\nexpect(r.code).toBe(0);", false],
    ['only in a title', "it('E_X_Y: a case', async () => {\n  expect(r.code).toBe(1);\n});", false],
    ['a table cell the body asserts', "it.each([\n  ['a', 1, 'E_X_Y'],\n])('%s', async (name, exit, code) => {\n  expect(r.json.errors[0].code).toBe(code);\n});", true],
    ['a table cell the body ignores', "it.each([\n  ['a', 1, 'E_X_Y'],\n])('%s', async (name, exit, code) => {\n  expect(r.code).toBe(exit);\n});", false],
  ])('error code %s → %s', (_label, source, asserted) => {
    expect(assertsErrorCode(source, 'E_X_Y')).toBe(asserted);
  });

  it.each([
    ['toBe on a code', 'expect(r.code, r.stderr).toBe(13);', true],
    ['exitCode in an object', "expect(report).toMatchObject({ exitCode: 13, outcome: 'graphite-failed' });", true],
    ['an asserting helper', "await expectRun(d, ['align'], 13, 'E_GRAPHITE_PARENTAGE');", true],
    ['a table cell the body asserts', "it.each([\n  ['SIGINT', 13, 'verify'],\n] as const)('%s (exit %i), during %s', async (signal, exit, stage) => {\n  expect(code, stderr).toBe(exit);\n});", true],
    ['negated', 'expect(nx.status).not.toBe(13);', false],
    ['some other number', 'expect(report.patches.length).toBe(13);', false],
  ])('exit code %s → %s', (_label, source, asserted) => {
    expect(assertsExitCode(source, 13)).toBe(asserted);
  });
});
