import { describe, expect, it } from 'vitest';
import { parseCatFileBatch, parseCommitObject, parseIdent } from './commit-object.js';
import { parseMergeTree } from './merge-tree.js';
import { parseCherryMarks } from './queue.js';
import { parseDiffTreeStdin } from './replay-check.js';
import { mergeAttributeLines, parseConfigList, parseGitVersion, selectEngine } from './support.js';
import { parseMainline } from './localize.js';

// Real output captured from git 2.39.5.
const binaryRenameDelete =
  '99137064031e2c02e54ddafddca21ecfa1ba8bf9\u0000b.bin\u0000g\u0000\u00001\u0000b.bin\u0000CONFLICT (binary)\u0000warning: Cannot merge binary files: b.bin (s2 vs. side)\n\u00001\u0000b.bin\u0000Auto-merging\u0000Auto-merging b.bin\n\u00001\u0000b.bin\u0000CONFLICT (contents)\u0000CONFLICT (content): Merge conflict in b.bin\n\u00002\u0000g\u0000f\u0000CONFLICT (rename/delete)\u0000CONFLICT (rename/delete): f renamed to g in side, but deleted in s2.\n\u00001\u0000g\u0000CONFLICT (modify/delete)\u0000CONFLICT (modify/delete): g deleted in s2 and modified in side.  Version side of g left in tree.\n\u0000';
const contentConflicts =
  '505071c29a609ae183adb1ec08f5a3f87a8d69f8\u0000b.bin\u0000g\u0000\u00001\u0000b.bin\u0000CONFLICT (binary)\u0000warning: Cannot merge binary files: b.bin (master vs. side)\n\u00001\u0000b.bin\u0000Auto-merging\u0000Auto-merging b.bin\n\u00001\u0000b.bin\u0000CONFLICT (contents)\u0000CONFLICT (content): Merge conflict in b.bin\n\u00001\u0000g\u0000Auto-merging\u0000Auto-merging g\n\u00001\u0000g\u0000CONFLICT (contents)\u0000CONFLICT (content): Merge conflict in g\n\u0000';

describe('parseMergeTree', () => {
  it.each([
    ['clean', '51d97e11d5a773e748f1b45da8e8d644ae33a5ef\u0000', 0, { clean: true, tree: '51d97e11d5a773e748f1b45da8e8d644ae33a5ef', files: [] }],
    ['binary + rename/delete + modify/delete', binaryRenameDelete, 1, { clean: false, files: ['b.bin', 'g'] }],
    ['binary + text content', contentConflicts, 1, { clean: false, files: ['b.bin', 'g'] }],
  ])('%s', (_name, stdout, exitCode, expected) => {
    expect(parseMergeTree(stdout, exitCode)).toMatchObject(expected);
  });

  it('keeps CONFLICT messages with their paths and leaves out Auto-merging', () => {
    expect(parseMergeTree(binaryRenameDelete, 1).conflicts.map((c) => [c.type, c.paths])).toEqual([
      ['CONFLICT (binary)', ['b.bin']],
      ['CONFLICT (contents)', ['b.bin']],
      ['CONFLICT (rename/delete)', ['g', 'f']],
      ['CONFLICT (modify/delete)', ['g']],
    ]);
  });
});

describe('cat-file and commit parsing', () => {
  const batch = 'aff5de63966b38c54b5dfcefba5fea360a95631f commit 119\ntree f4cea1886ea3d009372ea5249ca0b56442b7f508\nauthor a <a@b> 1795766855 +0000\ncommitter a <a@b> 1795766855 +0000\n\nbase\n\n';
  it('parses a --batch stream by byte sizes', () => {
    const [obj] = parseCatFileBatch(batch);
    const c = parseCommitObject(obj.sha, obj.body);
    expect(c).toMatchObject({ tree: 'f4cea1886ea3d009372ea5249ca0b56442b7f508', parents: [], authorRaw: 'a <a@b> 1795766855 +0000', authorDate: '@1795766855 +0000', message: 'base\n' });
  });
  it('counts multi-byte characters as bytes', () => {
    const body = 'tree t\nauthor Émile <e@x> 1 +0100\ncommitter c <c@x> 1 +0000\n\nünïcode\n';
    const stream = `abc commit ${Buffer.byteLength(body)}\n${body}\nabd commit ${Buffer.byteLength(body)}\n${body}\n`;
    expect(parseCatFileBatch(stream).map((o) => parseCommitObject(o.sha, o.body).message)).toEqual(['ünïcode\n', 'ünïcode\n']);
  });
  it.each([
    ['Ada Lovelace <ada@example.com> 1700000000 +0200', { name: 'Ada Lovelace', email: 'ada@example.com', date: '@1700000000 +0200' }],
    ['<nobody@x> 5 -0130', { name: '', email: 'nobody@x', date: '@5 -0130' }],
  ])('parseIdent(%s)', (raw, expected) => expect(parseIdent(raw)).toEqual(expected));
});

describe('rev-list and diff-tree parsing', () => {
  it('parses --cherry-mark --parents lines', () => {
    const out = '+40ef188de14ab448e767006a966bcc10dff0d8cb aff5de63966b38c54b5dfcefba5fea360a95631f\n=60c6875ee1ddcf740b00415d56fe44d0e1f62ac8 40ef188de14ab448e767006a966bcc10dff0d8cb\n';
    expect(parseCherryMarks(out)).toEqual([
      { sha: '40ef188de14ab448e767006a966bcc10dff0d8cb', parents: ['aff5de63966b38c54b5dfcefba5fea360a95631f'], same: false },
      { sha: '60c6875ee1ddcf740b00415d56fe44d0e1f62ac8', parents: ['40ef188de14ab448e767006a966bcc10dff0d8cb'], same: true },
    ]);
  });
  it('parses diff-tree --stdin -z name-status per commit', () => {
    const out =
      'a2da4e1a420ad11bbdd2e2d395734127727f16ee\u0000M\u0000drivers/d167/f0008.c\u0000M\u0000drivers/d188/f0004.c\u0000D\u0000drivers/d293/f0000.c\u00001ea5051a8e975e195c233b0f246f675d7d39c469\u0000M\u0000drivers/d110/f0003.c\u0000';
    const map = parseDiffTreeStdin(out);
    expect(map.get('a2da4e1a420ad11bbdd2e2d395734127727f16ee')?.map((p) => p.status + p.path)).toEqual(['Mdrivers/d167/f0008.c', 'Mdrivers/d188/f0004.c', 'Ddrivers/d293/f0000.c']);
    expect(map.get('1ea5051a8e975e195c233b0f246f675d7d39c469')).toEqual([{ status: 'M', path: 'drivers/d110/f0003.c' }]);
  });
  it('parses the mainline log', () => {
    expect(parseMainline('a\u0000t\u0000subject one\nb\u0000u\u0000two\n')).toEqual([
      { sha: 'a', tree: 't', subject: 'subject one' },
      { sha: 'b', tree: 'u', subject: 'two' },
    ]);
  });
});

describe('support parsing and engine choice', () => {
  it.each([
    ['git version 2.39.5', [2, 39, 5]],
    ['git version 2.37.1.windows.1', [2, 37, 1]],
    ['git version 2.45', [2, 45, 0]],
    ['nonsense', null],
  ])('parseGitVersion(%s)', (text, expected) => expect(parseGitVersion(text)).toEqual(expected));
  it('reads config lists (last value wins, keys lowercased)', () => {
    expect(parseConfigList('commit.gpgsign false\nmerge.ours.driver true\ncommit.gpgSign true\n')).toEqual(
      new Map([
        ['commit.gpgsign', 'true'],
        ['merge.ours.driver', 'true'],
      ]),
    );
  });
  it('finds merge-related attribute lines only', () => {
    expect(mergeAttributeLines('# c\n*.c text\n*.lock merge=ours\n*.png binary\n*.txt -merge\n*.md diff\n')).toEqual(['*.lock merge=ours', '*.png binary', '*.txt -merge']);
  });
  it.each([
    ['auto', true, { engine: 'memory' }],
    ['auto', false, { engine: 'worktree', note: 'fell back to the worktree engine: r' }],
    ['worktree', true, { engine: 'worktree' }],
    ['memory', false, { engine: 'memory', note: 'engine "memory" forced although it may differ from git rebase: r' }],
  ] as const)('selectEngine(%s, supported=%s)', (setting, supported, expected) => {
    expect(selectEngine(setting, { supported, reasons: supported ? [] : ['r'], gitVersion: '2.39.5' })).toEqual(expected);
  });
});
