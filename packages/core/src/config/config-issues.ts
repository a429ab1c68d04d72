import type { z } from 'zod';

/**
 * Turn zod issues and JSON syntax errors into the lines a user reads: one line per problem, each
 * naming the field, what was expected, what was found, and the fix.
 */

/** How a JSON value reads in a message: `the number 42`, `an array`, `"fast"`. */
export function describeFound(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length ? `an array of ${value.length}` : 'an empty array';
  if (typeof value === 'string') return value === '' ? 'an empty string' : `the string ${JSON.stringify(truncate(value))}`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `${value}`;
  if (typeof value === 'object') return 'an object';
  return typeof value;
}

const truncate = (s: string) => (s.length > 60 ? `${s.slice(0, 57)}…` : s);

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
};

/** Edit distance counting a swap of two neighbours as one edit (optimal string alignment), for "did you mean". */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The known name closest to `name`, if it is close enough to be a typo (case-insensitive). */
export function closest(name: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best !== null && bestDistance <= Math.max(1, Math.floor(name.length / 3)) ? best : null;
}

type AnySchema = z.core.$ZodType;

/** The object keys a schema accepts at `path` (through defaults, optionals, arrays and unions). */
export function knownKeysAt(schema: AnySchema, path: readonly PropertyKey[]): string[] {
  let node: AnySchema | undefined = schema;
  for (const part of [...path, null]) {
    node = unwrap(node);
    if (!node) return [];
    const def = node._zod.def as unknown as { type: string; shape?: Record<string, AnySchema>; element?: AnySchema; options?: AnySchema[] };
    if (part === null) return def.type === 'object' && def.shape ? Object.keys(def.shape) : [];
    if (def.type === 'object' && def.shape && typeof part === 'string') node = def.shape[part];
    else if (def.type === 'array' && typeof part === 'number') node = def.element;
    else return [];
  }
  return [];
}

function unwrap(node: AnySchema | undefined): AnySchema | undefined {
  for (let i = 0; node && i < 10; i++) {
    const def = node._zod.def as unknown as { type: string; innerType?: AnySchema; in?: AnySchema; options?: AnySchema[] };
    if (def.innerType) node = def.innerType;
    else if (def.type === 'pipe' && def.in) node = def.in;
    else if (def.type === 'union' && def.options) node = def.options.find((o) => (o._zod.def as { type: string }).type === 'object' || (o._zod.def as { type: string }).type === 'array') ?? def.options[0];
    else return node;
  }
  return node;
}

const fieldOf = (path: readonly PropertyKey[]) =>
  path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');

/** One line per problem: `field: expected …, found …; fix`. `issues` must come from a parse with `reportInput: true`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], schema?: AnySchema): string[] {
  return issues.flatMap((issue) => {
    const field = fieldOf(issue.path);
    const found = 'input' in issue ? issue.input : undefined;
    const at = field ? `${field}: ` : '';
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = schema ? knownKeysAt(schema, issue.path) : [];
        return issue.keys.map((key) => {
          const guess = closest(key, known);
          const name = field ? `${field}.${key}` : key;
          return `${name}: unknown key${guess ? `; did you mean "${guess}"? rename it` : '; remove it'}${known.length ? ` (known keys${field ? ` in ${field}` : ''}: ${known.join(', ')})` : ''}`;
        });
      }
      case 'invalid_type': {
        if (found === undefined) return [`${field}: is required; add it to the config`];
        if (!field) return [`the config must be a JSON object like {"trunk": "my-fork/main"}, found ${describeFound(found)}; rewrite the file as one JSON object`];
        const expected = EXPECTED[issue.expected] ?? issue.expected;
        return [`${at}expected ${expected}, found ${describeFound(found)}; change it to ${expected}`];
      }
      case 'invalid_value': {
        const options = issue.values.map((v) => JSON.stringify(v));
        const guess = typeof found === 'string' ? closest(found, issue.values.map(String)) : null;
        return [`${at}expected one of ${options.join(', ')}, found ${describeFound(found)}; ${guess ? `did you mean "${guess}"?` : 'use one of those'}`];
      }
      case 'invalid_union': {
        const expected = issue.errors
          .map((branch) => branch[0])
          .filter(Boolean)
          .map((first) => (first.code === 'invalid_type' ? (EXPECTED[first.expected] ?? first.expected) : first.code === 'invalid_value' ? first.values.map((v) => JSON.stringify(v)).join(' or ') : 'another value'));
        return [`${at}expected ${expected.join(' or ')}, found ${describeFound(found)}; change it to ${expected.join(' or ')}`];
      }
      case 'too_small':
      case 'too_big': {
        const custom = !/^Too (small|big)/.test(issue.message);
        if (custom) return [`${at}${issue.message}, found ${describeFound(found)}`];
        const op = issue.code === 'too_small' ? (issue.inclusive ? '≥' : '>') : issue.inclusive ? '≤' : '<';
        const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
        const what = issue.origin === 'string' ? 'its length' : issue.origin === 'array' ? 'its length' : 'it';
        return [`${at}${what} must be ${op} ${String(bound)}, found ${describeFound(found)}; change it`];
      }
      case 'invalid_format':
        return [`${at}${issue.message}, found ${describeFound(found)}`];
      default:
        // Custom refinements carry their own wording ("is not a valid git branch name").
        return [`${at}${issue.message}${found !== undefined ? `, found ${describeFound(found)}` : ''}`];
    }
  });
}

/**
 * `JSON.parse`'s error as `line L, column C: <what>`. Node 20 reports a character position (or
 * "Unexpected end of JSON input"); newer versions add "(line L column C)".
 */
export function describeJsonError(text: string, err: Error): string {
  if (text.trim() === '') return 'the file is empty; write a JSON object like {"trunk": "my-fork/main"}';
  const message = err.message;
  let line: number | null = null;
  let column: number | null = null;
  const lc = /line (\d+) column (\d+)/.exec(message);
  const pos = /at position (\d+)/.exec(message);
  if (lc) [line, column] = [Number(lc[1]), Number(lc[2])];
  else if (pos || /Unexpected end of JSON input/.test(message)) {
    const offset = pos ? Number(pos[1]) : text.length;
    const before = text.slice(0, offset).split('\n');
    line = before.length;
    column = before[before.length - 1].length + 1;
  }
  const what = message
    .replace(/\s*\(line \d+ column \d+\)/, '')
    .replace(/\s*in JSON at position \d+/, '')
    .replace(/, "[^"]*"(\.\.\.)? is not valid JSON$/, '');
  return `${line !== null ? `line ${line}, column ${column}: ` : ''}${what}; fix the JSON syntax there`;
}
