import { afterEach, describe, expect, it } from 'vitest';
import { boundRunner, CommandLog } from '@rebase-daily/core';
import { createForkFixture, git, type ForkFixture } from '@rebase-daily/core/testing';
import { areaHistogram, buildContextBundle, parseLogWithFiles, parseShortstat, renderContextBundle } from './context-bundle.js';
import '../testing/stage-context.js';

describe('context bundle parsers', () => {
  it.each([
    [' 3 files changed, 10 insertions(+), 2 deletions(-)\n', { files: 3, insertions: 10, deletions: 2 }],
    [' 1 file changed, 1 insertion(+)\n', { files: 1, insertions: 1, deletions: 0 }],
    [' 2 files changed, 4 deletions(-)\n', { files: 2, insertions: 0, deletions: 4 }],
    ['', { files: 0, insertions: 0, deletions: 0 }],
  ])('parseShortstat(%j)', (text, want) => {
    expect(parseShortstat(text)).toEqual(want);
  });

  it.each([
    ['', []],
    [`\x1e${'a'.repeat(40)}\0Ann <a@x>\0subject one\n\nsrc/a.rs\ndocs/b.md\n`, [{ sha: 'a'.repeat(40), author: 'Ann <a@x>', subject: 'subject one', files: ['src/a.rs', 'docs/b.md'] }]],
    [`\x1e${'b'.repeat(40)}\0Bo <b@x>\0merge, no files\n`, [{ sha: 'b'.repeat(40), author: 'Bo <b@x>', subject: 'merge, no files', files: [] }]],
  ])('parseLogWithFiles %#', (text, want) => {
    expect(parseLogWithFiles(text)).toEqual(want);
  });

  it('areaHistogram counts each path once, most first', () => {
    expect(areaHistogram(['src/a', 'src/b', 'README.md', 'docs/x', 'src/a'])).toEqual([
      { area: 'src', files: 2 },
      { area: '(root)', files: 1 },
      { area: 'docs', files: 1 },
    ]);
  });
});

const fixtures: ForkFixture[] = [];
afterEach(() => {
  for (const f of fixtures.splice(0)) f.cleanup();
});

describe('buildContextBundle on a real fork: every fact matches git', () => {
  it('commits with files, areas, patches per conflicted file, re-introduced and renamed paths, size', async () => {
    const f = createForkFixture({
      base: { 'README.md': 'p\n', 'src/lib.txt': 'line 1\nline 2\nline 3\n', 'src/old-name.txt': 'a\nb\nc\nd\ne\n', 'legacy/x.txt': 'x\n' },
      patches: [
        { files: { 'src/lib.txt': 'line 1\nfork 2\nline 3\n' }, message: 'fork: lib' },
        { files: { 'src/old-name.txt': 'a\nb\nc\nd\nfork e\n', 'legacy/x.txt': null }, message: 'fork: edit old name, drop legacy' },
        { files: { 'src/lib.txt': 'line 1\nfork 2 again\nline 3\n' }, message: 'fork: lib again' },
      ],
      upstreamCommits: [
        { files: { 'src/lib.txt': 'line 1\nupstream 2\nline 3\n', 'docs/a.md': 'a\n' }, message: 'upstream: lib and docs' },
        { files: { 'src/old-name.txt': null, 'src/new-name.txt': 'a\nb\nc\nd\ne\n' }, message: 'upstream: rename' },
        { files: { 'legacy/y.txt': 'y\n', 'README.md': 'p2\n' }, message: 'upstream: legacy and readme' },
      ],
    });
    fixtures.push(f);
    const repo = f.clone;
    const base = git(repo, 'merge-base', 'upstream/main', f.trunk);
    const upstream = git(repo, 'rev-parse', 'upstream/main');
    const trunk = git(repo, 'rev-parse', f.trunk);
    const b = await buildContextBundle(boundRunner(new CommandLog()), repo, { base, upstream, trunk, files: ['src/lib.txt'], removed: ['legacy/**'] });

    const shas = git(repo, 'rev-list', '--reverse', `${base}..${upstream}`).split('\n');
    expect(b.commits.map((c) => c.sha)).toEqual(shas);
    expect(b.commitCount).toBe(shas.length);
    for (const c of b.commits) {
      expect(c.subject).toBe(git(repo, 'log', '-1', '--format=%s', c.sha));
      expect(c.author).toBe(git(repo, 'log', '-1', '--format=%an <%ae>', c.sha));
      expect([...c.files].sort()).toEqual(git(repo, 'show', '--no-renames', '--name-only', '--format=', c.sha).split('\n').filter(Boolean).sort());
    }
    const numstat = git(repo, 'diff', '--numstat', '--no-renames', base, upstream).split('\n').map((l) => l.split('\t'));
    expect(b.size).toMatchObject({ files: numstat.length, insertions: numstat.reduce((n, l) => n + Number(l[0]), 0), deletions: numstat.reduce((n, l) => n + Number(l[1]), 0), large: false, note: null });
    expect(b.areas).toEqual([
      { area: 'src', files: 3 },
      { area: '(root)', files: 1 },
      { area: 'docs', files: 1 },
      { area: 'legacy', files: 1 },
    ]);
    const patchLog = git(repo, 'log', '--reverse', '--format=%H %s', `${base}..${trunk}`, '--', 'src/lib.txt').split('\n');
    expect(b.patchesByFile).toEqual([{ file: 'src/lib.txt', patches: patchLog.map((l) => ({ sha: l.slice(0, 40), subject: l.slice(41) })) }]);
    expect(b.reintroduced).toEqual(['legacy/y.txt']);
    expect(b.renamedUpstream).toEqual([{ from: 'src/old-name.txt', to: 'src/new-name.txt', patches: [{ sha: git(repo, 'rev-parse', `${f.trunk}~1`), subject: 'fork: edit old name, drop legacy' }] }]);
    const md = renderContextBundle(b);
    expect(md).toContain('src/old-name.txt → src/new-name.txt');
    expect(md).toContain('legacy/y.txt');
  });
});
