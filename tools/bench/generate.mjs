#!/usr/bin/env node
// Deterministic generator of a large repository for the engine benchmark, written with one
// `git fast-import` (seconds instead of the minutes 30,000 `git add`s would take).
//
//   base            ~30,000 text files, ~200 MB, in 300 directories
//   upstream        300 upstream commits on top of base (1–4 files each, some adds)
//   upstream-long   upstream + 700 more: 1,000 first-parent commits; #700 conflicts with trunk-clean's patch 10
//   trunk-clean     base + a 30-patch queue (1–3 files each) that replays cleanly onto upstream
//   trunk-conflict  the same queue, but patch 20 edits the line upstream commit #150 rewrote
//
// Usage: node tools/bench/generate.mjs [dir]   (default $BENCH_DIR or /tmp/rebase-daily-bench/repo)
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';

export const DEFAULT_DIR = process.env.BENCH_DIR ?? '/tmp/rebase-daily-bench/repo';
const FILES = Number(process.env.BENCH_FILES ?? 30_000);
const DIRS = 300;
const LINES_PER_FILE = 110; // ~60 bytes a line → ~6.7 KB a file → ~200 MB for 30,000 files

function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = 'static const int return void struct unsigned char if else for while break case switch default register volatile uint32_t uint8_t size_t irq dma gpio clock reset buffer offset length status config init probe remove'.split(' ');

export async function generate(dir = DEFAULT_DIR) {
  const rnd = prng(0x5eed);
  const int = (n) => Math.floor(rnd() * n);
  const line = () => {
    let s = '\t';
    const n = 6 + int(8);
    for (let i = 0; i < n; i++) s += `${WORDS[int(WORDS.length)]} `;
    return `${s}${int(100000)};`;
  };
  const paths = Array.from({ length: FILES }, (_, i) => `drivers/d${String(i % DIRS).padStart(3, '0')}/f${String(Math.floor(i / DIRS)).padStart(4, '0')}.c`);
  const base = new Map(paths.map((p) => [p, Array.from({ length: LINES_PER_FILE - 20 + int(40) }, line)]));

  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
  const git = (...args) => execFileSync('git', args, { cwd: dir, env, encoding: 'utf8' }).trim();
  git('init', '-q', '--bare', '-b', 'main');
  git('config', 'user.name', 'Bench');
  git('config', 'user.email', 'bench@example.com');
  git('config', 'commit.gpgsign', 'false');
  git('config', 'gc.auto', '0');

  const fi = spawn('git', ['fast-import', '--quiet', '--depth=10'], { cwd: dir, env, stdio: ['pipe', 'inherit', 'inherit'] });
  const done = new Promise((res, rej) => fi.on('exit', (code) => (code === 0 ? res() : rej(new Error(`fast-import exit ${code}`)))));
  const write = async (text) => {
    if (!fi.stdin.write(text)) await new Promise((r) => fi.stdin.once('drain', r));
  };
  let mark = 0;
  let time = 1_700_000_000;
  const content = (lines) => `${lines.join('\n')}\n`;
  const commit = async (ref, parent, files, message, author = 'Upstream Dev <dev@upstream.example>') => {
    time += 600;
    let out = `commit ${ref}\nmark :${++mark}\nauthor ${author} ${time} +0100\ncommitter Bench <bench@example.com> ${time} +0100\ndata ${Buffer.byteLength(message)}\n${message}\n`;
    if (parent) out += `from :${parent}\n`;
    await write(out);
    for (const [path, lines] of files) {
      const c = content(lines);
      await write(`M 100644 inline ${path}\ndata ${Buffer.byteLength(c)}\n${c}\n`);
    }
    await write('\n');
    return mark;
  };

  const baseMark = await commit('refs/heads/main', 0, [...base], 'base: import the tree\n');
  // Files the queue patches: never touched by upstream, except the planted conflicts.
  const queueFiles = paths.filter((_, i) => i % 997 === 13).slice(0, 45);
  const reserved = new Set(queueFiles);
  const upstreamState = new Map();
  const edit = (state, path, at, text) => {
    const lines = [...(state.get(path) ?? base.get(path))];
    lines[at % lines.length] = text;
    state.set(path, lines);
    return lines;
  };
  const upstreamCommit = async (ref, parent, i, plant) => {
    const files = [];
    if (plant) files.push([plant.path, edit(upstreamState, plant.path, plant.line, '\tupstream rewrote this line;')]);
    const n = 1 + int(4);
    for (let k = 0; k < n; k++) {
      let p = paths[int(paths.length)];
      if (reserved.has(p)) p = paths[(paths.indexOf(p) + 1) % paths.length];
      files.push([p, edit(upstreamState, p, int(200), line())]);
    }
    if (rnd() < 0.1) {
      const p = `drivers/new/u${i}.c`;
      const lines = Array.from({ length: 80 }, line);
      upstreamState.set(p, lines);
      files.push([p, lines]);
    }
    return commit(ref, parent, files, `upstream: change ${i}\n\nDetails of upstream change ${i}.\n`);
  };

  // Queue patches (same content for both trunks, except the conflicting patch 20).
  const patches = Array.from({ length: 30 }, (_, i) => {
    const n = 1 + int(3);
    const files = Array.from({ length: n }, () => ({ path: queueFiles[int(queueFiles.length)], line: int(200), text: `\tfork patch ${i} line ${int(1000)};` }));
    return { message: `fork: patch ${i}\n\nWhy the fork needs patch ${i}.\n`, files };
  });
  const plantClean = { path: patches[20].files[0].path, line: patches[20].files[0].line };
  const conflictPatch = { ...patches[20], files: [{ ...plantClean, text: '\tfork rewrote this line differently;' }] };
  const plantLong = { path: patches[10].files[0].path, line: patches[10].files[0].line };

  let up = baseMark;
  for (let i = 0; i < 300; i++) up = await upstreamCommit('refs/heads/upstream', up, i, i === 150 ? plantClean : undefined);
  // trunk-clean never edits plantClean's line; trunk-conflict's patch 20 does (conflicts with #150).
  const queue = async (ref, list) => {
    const state = new Map();
    let tip = baseMark;
    for (const p of list) {
      const files = p.files.map((f) => [f.path, edit(state, f.path, f.line, f.text)]);
      tip = await commit(ref, tip, files, p.message, 'Fork Dev <dev@fork.example>');
    }
  };
  patches[20] = { ...patches[20], files: patches[20].files.map((f, k) => (k === 0 ? { ...f, line: f.line + 40 } : f)) };
  await queue('refs/heads/trunk-clean', patches);
  await queue('refs/heads/trunk-conflict', patches.map((p, i) => (i === 20 ? conflictPatch : p)));
  let long = up;
  for (let i = 300; i < 1000; i++) long = await upstreamCommit('refs/heads/upstream-long', long, i, i === 700 ? plantLong : undefined);
  fi.stdin.end();
  await done;
  git('symbolic-ref', 'HEAD', 'refs/heads/trunk-clean');
  return dir;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = resolve(process.argv[2] ?? DEFAULT_DIR);
  const started = performance.now();
  await generate(dir);
  const size = execFileSync('du', ['-sh', dir], { encoding: 'utf8' }).split('\t')[0];
  console.log(`generated ${dir} in ${((performance.now() - started) / 1000).toFixed(1)} s (${size})`);
}
