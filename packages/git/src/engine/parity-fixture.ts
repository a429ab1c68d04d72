import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Generated repositories for the parity suite: a deterministic scenario (from a seed) written with
 * one `git fast-import`, every commit a full snapshot. Upstream and the fork's queue edit the same
 * small set of files so that merges, drops and conflicts all happen.
 */
export interface ParityScenario {
  seed: number;
  upstreamCommits: number;
  queueCommits: number;
}

type Content = { kind: 'text'; lines: string[] } | { kind: 'binary'; bytes: number[] };
type Snapshot = Map<string, Content>;

interface CommitSpec {
  ref: string;
  mark: number;
  parents: number[];
  tree: Snapshot;
  message: string;
  author: string;
}

export interface ParityRepo {
  repo: string;
  upstream: string;
  trunk: string;
}

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DIRS = ['', 'a/', 'a/b/', 'c/'];
const NAMES = ['x', 'y', 'z', 'w'];
const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'eps', 'zeta'];
const AUTHORS = ['Ada Lovelace <ada@example.com>', 'Grace Hopper <grace@example.org>', 'Linus T <lt@example.net>', 'Émile Zola <emile@example.fr>'];
const MESSAGES = ['fix: handle edge case', 'feat: add knob\n\nLonger body explaining\nthe change.', 'chore: tidy', 'docs: ünïcode in the subject', 'no trailing newline body\n\nlast line'];

function contentBytes(c: Content): Buffer {
  return c.kind === 'text' ? Buffer.from(c.lines.map((l) => `${l}\n`).join('')) : Buffer.from(c.bytes);
}

function clone(s: Snapshot): Snapshot {
  return new Map([...s].map(([k, v]) => [k, v.kind === 'text' ? { kind: 'text', lines: [...v.lines] } : { kind: 'binary', bytes: [...v.bytes] }]));
}

/** Apply 1–3 random edits (modify, insert, delete line, add, delete, rename, binary rewrite). */
function edit(s: Snapshot, rnd: () => number): Snapshot {
  const next = clone(s);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  const ops = 1 + Math.floor(rnd() * 3);
  for (let i = 0; i < ops; i++) {
    const paths = [...next.keys()];
    const roll = rnd();
    const newPath = () => `${pick(DIRS)}${pick(NAMES)}${rnd() < 0.2 ? '.bin' : '.txt'}`;
    if (paths.length === 0 || roll < 0.12) {
      const p = newPath();
      next.set(p, p.endsWith('.bin') ? { kind: 'binary', bytes: Array.from({ length: 16 }, () => Math.floor(rnd() * 4)) } : { kind: 'text', lines: Array.from({ length: 6 }, () => pick(WORDS)) });
      continue;
    }
    const p = pick(paths);
    const c = next.get(p) as Content;
    if (roll < 0.2) next.delete(p);
    else if (roll < 0.3) {
      const to = newPath();
      if (!next.has(to)) {
        next.delete(p);
        next.set(to, c);
      }
    } else if (c.kind === 'binary') c.bytes[Math.floor(rnd() * c.bytes.length)] = Math.floor(rnd() * 4);
    else if (roll < 0.8 && c.lines.length) c.lines[Math.floor(rnd() * c.lines.length)] = pick(WORDS);
    else if (roll < 0.9) c.lines.splice(Math.floor(rnd() * (c.lines.length + 1)), 0, pick(WORDS));
    else if (c.lines.length) c.lines.splice(Math.floor(rnd() * c.lines.length), 1);
  }
  return next;
}

/** The changes from `a` to `b`, applied onto `onto` (a "cherry-pick" at the snapshot level). */
function transplant(a: Snapshot, b: Snapshot, onto: Snapshot, only?: (path: string) => boolean): Snapshot {
  const next = clone(onto);
  for (const p of new Set([...a.keys(), ...b.keys()])) {
    if (only && !only(p)) continue;
    const before = a.get(p);
    const after = b.get(p);
    if (before && after && contentBytes(before).equals(contentBytes(after))) continue;
    if (after) next.set(p, after);
    else next.delete(p);
  }
  return next;
}

/** Build the scenario's repository: branch `upstream` and branch `trunk` (base + queue, maybe merges). */
export function buildParityRepo(scenario: ParityScenario): ParityRepo {
  const rnd = prng(scenario.seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  let mark = 0;
  let time = 1_700_000_000;
  const commits: CommitSpec[] = [];
  const make = (ref: string, parents: number[], tree: Snapshot, message?: string): number => {
    commits.push({ ref, mark: ++mark, parents, tree, message: message ?? pick(MESSAGES), author: pick(AUTHORS) });
    return mark;
  };
  let base: Snapshot = new Map();
  for (const d of DIRS.slice(0, 3)) for (const n of NAMES.slice(0, 3)) base.set(`${d}${n}.txt`, { kind: 'text', lines: Array.from({ length: 8 }, () => pick(WORDS)) });
  base.set('blob.bin', { kind: 'binary', bytes: Array.from({ length: 24 }, () => Math.floor(rnd() * 4)) });
  base = edit(base, rnd);
  const baseMark = make('refs/heads/upstream', [], base, 'base');

  const upstreamSteps: { before: Snapshot; after: Snapshot }[] = [];
  let up = base;
  let upMark = baseMark;
  for (let i = 0; i < scenario.upstreamCommits; i++) {
    const next = rnd() < 0.1 ? up : edit(up, rnd); // sometimes an empty upstream commit
    upstreamSteps.push({ before: up, after: next });
    upMark = make('refs/heads/upstream', [upMark], next);
    up = next;
  }

  let trunk = base;
  let trunkMark = baseMark;
  for (let i = 0; i < scenario.queueCommits; i++) {
    const roll = rnd();
    if (roll < 0.1) {
      trunkMark = make('refs/heads/trunk', [trunkMark], trunk); // empty from the start
    } else if (roll < 0.2 && upstreamSteps.length) {
      const step = pick(upstreamSteps); // the same patch as upstream: already upstream
      trunk = transplant(step.before, step.after, trunk);
      trunkMark = make('refs/heads/trunk', [trunkMark], trunk);
    } else if (roll < 0.3 && upstreamSteps.length) {
      const step = pick(upstreamSteps); // part of an upstream change: becomes empty
      const paths = [...new Set([...step.before.keys(), ...step.after.keys()])];
      const keep = new Set(paths.filter(() => rnd() < 0.6));
      trunk = transplant(step.before, step.after, trunk, (p) => keep.has(p));
      trunkMark = make('refs/heads/trunk', [trunkMark], trunk);
    } else if (roll < 0.4) {
      // A side branch merged into the trunk (rebase flattens it).
      const forkPoint = trunk;
      let side = forkPoint;
      let sideMark = trunkMark;
      const sideCount = 1 + Math.floor(rnd() * 2);
      for (let j = 0; j < sideCount; j++) {
        side = edit(side, rnd);
        sideMark = make('refs/heads/side', [sideMark], side);
      }
      trunk = edit(trunk, rnd);
      trunkMark = make('refs/heads/trunk', [trunkMark], trunk);
      // The merge result: the side's changes on top of the trunk (a plausible, possibly evil, merge).
      trunk = transplant(forkPoint, side, trunk);
      trunkMark = make('refs/heads/trunk', [trunkMark, sideMark], trunk, 'Merge branch side');
    } else {
      trunk = edit(trunk, rnd);
      trunkMark = make('refs/heads/trunk', [trunkMark], trunk);
    }
  }

  const chunks: Buffer[] = [];
  const data = (b: Buffer) => {
    chunks.push(Buffer.from(`data ${b.length}\n`), b, Buffer.from('\n'));
  };
  for (const c of commits) {
    time += 60;
    chunks.push(Buffer.from(`commit ${c.ref}\nmark :${c.mark}\nauthor ${c.author} ${time} +0200\ncommitter Gen <gen@example.com> ${time} +0000\n`));
    data(Buffer.from(c.message));
    if (c.parents[0]) chunks.push(Buffer.from(`from :${c.parents[0]}\n`));
    for (const p of c.parents.slice(1)) chunks.push(Buffer.from(`merge :${p}\n`));
    chunks.push(Buffer.from('deleteall\n'));
    for (const [path, content] of [...c.tree].sort(([a], [b]) => (a < b ? -1 : 1))) {
      chunks.push(Buffer.from(`M 100644 inline ${path}\n`));
      data(contentBytes(content));
    }
    chunks.push(Buffer.from('\n'));
  }
  const repo = mkdtempSync(join(tmpdir(), 'rebase-daily-parity-'));
  const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
  const git = (args: string[], input?: Buffer) => execFileSync('git', args, { cwd: repo, env, input, stdio: ['pipe', 'pipe', 'pipe'] }).toString().trim();
  git(['init', '-q', '-b', 'main']);
  git(['config', 'user.name', 'Parity']);
  git(['config', 'user.email', 'parity@example.com']);
  git(['config', 'commit.gpgsign', 'false']);
  git(['config', 'gc.auto', '0']);
  git(['fast-import', '--quiet'], Buffer.concat(chunks));
  return { repo, upstream: git(['rev-parse', 'refs/heads/upstream']), trunk: git(['rev-parse', 'refs/heads/trunk']) };
}
