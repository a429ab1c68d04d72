import { parse } from 'smol-toml';

/**
 * Surgical edits of Cargo files. We parse with smol-toml (a maintained, spec-compliant TOML parser)
 * to read values and to check every edit, but write by replacing one string literal in the
 * original text: re-serializing would drop comments and reorder keys in a file humans own.
 */

type Table = Record<string, unknown>;
const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseToml(text: string): Table {
  return parse(text) as Table;
}

/** The version a manifest declares: `[workspace.package] version`, else a literal `[package] version`. */
export function manifestVersion(text: string): { version: string; table: 'workspace.package' | 'package' } | null {
  const doc = parseToml(text);
  const ws = isTable(doc.workspace) && isTable(doc.workspace.package) ? doc.workspace.package.version : undefined;
  if (typeof ws === 'string') return { version: ws, table: 'workspace.package' };
  const pkg = isTable(doc.package) ? doc.package.version : undefined;
  if (typeof pkg === 'string') return { version: pkg, table: 'package' };
  return null;
}

const header = (line: string) => /^\s*\[/.test(line);

/**
 * Replace the `version = "…"` key of table `[<table>]` in `text`. Throws when the key is not a plain
 * `version = "…"` line in that table (e.g. written as an inline table), or when the edit would
 * change anything else.
 */
export function setManifestVersion(text: string, table: 'workspace.package' | 'package', version: string): string {
  const lines = text.split('\n');
  const headerRe = table === 'workspace.package' ? /^\s*\[\s*workspace\s*\.\s*package\s*\]\s*(#.*)?$/ : /^\s*\[\s*package\s*\]\s*(#.*)?$/;
  const start = lines.findIndex((l) => headerRe.test(l));
  if (start === -1) throw new Error(`no [${table}] table; write the version as \`version = "x.y.z"\` under [${table}]`);
  let done = false;
  for (let i = start + 1; i < lines.length && !header(lines[i]); i++) {
    const m = /^(\s*version\s*=\s*)(["'])([^"'\n]*)\2(.*)$/.exec(lines[i]);
    if (m) {
      lines[i] = `${m[1]}"${version}"${m[4]}`;
      done = true;
      break;
    }
  }
  if (!done) throw new Error(`no \`version = "…"\` line under [${table}]; write the version that way`);
  const next = lines.join('\n');
  checkOnlyChanged(text, next, (doc) => {
    const t = table === 'workspace.package' ? (doc.workspace as Table).package : doc.package;
    (t as Table).version = version;
  });
  return next;
}

/** Does a member manifest take its version from the workspace (`version.workspace = true`)? */
export function inheritsWorkspaceVersion(memberText: string): { name: string; inherits: boolean } | null {
  const doc = parseToml(memberText);
  if (!isTable(doc.package) || typeof doc.package.name !== 'string') return null;
  const v = doc.package.version;
  return { name: doc.package.name, inherits: isTable(v) && v.workspace === true };
}

/**
 * Set the lock entries of workspace members (`[[package]]` without `source`) to `version`, and the
 * `"name old-version"` references to them in `dependencies` arrays (Cargo writes the version there
 * only when several versions of a name are locked).
 */
export function setLockVersions(text: string, members: ReadonlySet<string>, version: string): { text: string; changed: string[] } {
  const lines = text.split('\n');
  const oldVersions = new Map<string, string>();
  const changed: string[] = [];
  let block: { name?: string; versionLine?: number; version?: string; source: boolean } | null = null;
  const flush = () => {
    if (block?.name && members.has(block.name) && !block.source && block.versionLine !== undefined && block.version !== undefined) {
      oldVersions.set(block.name, block.version);
      if (block.version !== version) {
        lines[block.versionLine] = lines[block.versionLine].replace(/"[^"]*"/, `"${version}"`);
        changed.push(block.name);
      }
    }
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (header(line)) {
      flush();
      block = /^\s*\[\[\s*package\s*\]\]/.test(line) ? { source: false } : null;
      continue;
    }
    if (!block) continue;
    let m: RegExpExecArray | null;
    if ((m = /^name\s*=\s*"([^"]*)"/.exec(line))) block.name = m[1];
    else if ((m = /^version\s*=\s*"([^"]*)"/.exec(line))) {
      block.version = m[1];
      block.versionLine = i;
    } else if (/^source\s*=/.test(line)) block.source = true;
  }
  flush();
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*")([^" ]+) ([^" ]+)(".*)$/.exec(lines[i]);
    if (m && oldVersions.get(m[2]) === m[3] && m[3] !== version) lines[i] = `${m[1]}${m[2]} ${version}${m[4]}`;
  }
  const next = lines.join('\n');
  checkOnlyChanged(text, next, (doc) => {
    for (const pkg of (doc.package as Table[] | undefined) ?? []) {
      if (typeof pkg.name === 'string' && members.has(pkg.name) && pkg.source === undefined) pkg.version = version;
      if (Array.isArray(pkg.dependencies)) {
        pkg.dependencies = pkg.dependencies.map((d: unknown) => {
          if (typeof d !== 'string') return d;
          const [name, ver, ...rest] = d.split(' ');
          return rest.length === 0 && ver !== undefined && oldVersions.get(name) === ver ? `${name} ${version}` : d;
        });
      }
    }
  });
  return { text: next, changed };
}

/** Guard: parse both texts; applying `expect` to the old document must give the new one. */
function checkOnlyChanged(before: string, after: string, expect: (doc: Table) => void): void {
  const want = parseToml(before);
  expect(want);
  const got = parseToml(after);
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error('refusing to write: the edit would change more than the version');
}
