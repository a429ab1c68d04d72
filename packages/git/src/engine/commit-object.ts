import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

/** One commit as read from `git cat-file --batch`: the fields replay needs, raw where rebase keeps them raw. */
export interface CommitInfo {
  sha: string;
  tree: string;
  parents: string[];
  /** The author line after `author `, verbatim: `Name <email> 1700000000 +0200`. */
  authorRaw: string;
  authorName: string;
  authorEmail: string;
  /** `@<seconds> <tz>`, the form GIT_AUTHOR_DATE accepts. */
  authorDate: string;
  committerRaw: string;
  /** Everything after the header's blank line, byte for byte (rebase keeps the message as is). */
  message: string;
}

/** Split an ident line (`Name <email> 1700000000 +0200`) into its parts. */
export function parseIdent(raw: string): { name: string; email: string; date: string } {
  const m = /^(.*?) ?<([^>]*)> (\d+) ([+-]\d{4})$/.exec(raw);
  if (!m) return { name: raw, email: '', date: '' };
  return { name: m[1], email: m[2], date: `@${m[3]} ${m[4]}` };
}

/** Parse the body of a commit object (headers, blank line, message). */
export function parseCommitObject(sha: string, body: string): CommitInfo {
  const split = body.indexOf('\n\n');
  const header = split === -1 ? body : body.slice(0, split);
  const message = split === -1 ? '' : body.slice(split + 2);
  let tree = '';
  const parents: string[] = [];
  let authorRaw = '';
  let committerRaw = '';
  for (const line of header.split('\n')) {
    // Continuation lines (gpgsig, mergetag) start with a space and are not fields replay keeps.
    if (line.startsWith(' ')) continue;
    const sp = line.indexOf(' ');
    const key = line.slice(0, sp);
    const value = line.slice(sp + 1);
    if (key === 'tree') tree = value;
    else if (key === 'parent') parents.push(value);
    else if (key === 'author') authorRaw = value;
    else if (key === 'committer') committerRaw = value;
  }
  const author = parseIdent(authorRaw);
  return { sha, tree, parents, authorRaw, authorName: author.name, authorEmail: author.email, authorDate: author.date, committerRaw, message };
}

/**
 * Parse `git cat-file --batch` output (objects in request order). Sizes are in bytes, so the text
 * goes back to bytes first; a mismatch means the content was not valid UTF-8 and the caller must
 * not trust it.
 */
export function parseCatFileBatch(stdout: string): { sha: string; type: string; body: string }[] {
  const buf = Buffer.from(stdout, 'utf8');
  const out: { sha: string; type: string; body: string }[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const nl = buf.indexOf(0x0a, pos);
    if (nl === -1) break;
    const header = buf.subarray(pos, nl).toString('utf8');
    const parts = header.split(' ');
    if (parts[1] === 'missing') throw new Error(`cat-file: object ${parts[0]} is missing`);
    if (parts.length !== 3 || !/^\d+$/.test(parts[2])) throw new Error(`cat-file: unexpected header "${header}"`);
    const size = Number(parts[2]);
    const body = buf.subarray(nl + 1, nl + 1 + size).toString('utf8');
    out.push({ sha: parts[0], type: parts[1], body });
    pos = nl + 1 + size + 1; // object + the trailing LF
  }
  return out;
}

/** The text of a commit object replaying `source` onto `parent` with `tree` (author and message kept). */
export function commitBody(tree: string, parents: readonly string[], authorRaw: string, committerRaw: string, message: string): string {
  return `tree ${tree}\n${parents.map((p) => `parent ${p}\n`).join('')}author ${authorRaw}\ncommitter ${committerRaw}\n\n${message}`;
}

/**
 * Write a loose object into `objectDir` and return its id. Spawning `git commit-tree` costs 15–30 ms
 * per call on the machines this runs on, more than the merge itself, so the two commits each replayed
 * patch needs are written here in the documented loose format (zlib of `<type> <size>\0<body>`),
 * atomically (temp file + rename), exactly as git would write them.
 */
export function writeLooseObject(objectDir: string, type: 'commit' | 'blob' | 'tree', body: string | Buffer, hash: 'sha1' | 'sha256' = 'sha1'): string {
  const content = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const full = Buffer.concat([Buffer.from(`${type} ${content.length}\0`, 'utf8'), content]);
  const id = createHash(hash).update(full).digest('hex');
  const dir = join(objectDir, id.slice(0, 2));
  const file = join(dir, id.slice(2));
  if (existsSync(file)) return id;
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `tmp_obj_rd_${process.pid}_${Math.random().toString(36).slice(2)}`);
  const fd = openSync(tmp, 'wx', 0o444);
  try {
    // No fsync, like git's default (core.fsync does not cover loose objects unless configured).
    writeSync(fd, deflateSync(full));
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  return id;
}
