import { describe, expect, it } from 'vitest';
import { parseCatFileBatch, parseCommitObject, parseIdent } from './commit-object.js';
import { mergeReplyLength, parseMergeReply, parseMergeTree } from './merge-tree.js';
import { parseQueueLog, parseRawZ } from './queue.js';
import { parseDiffTreeStdin, upstreamChanges } from './replay-check.js';
import { parseGitVersion } from '@rebase-daily/core';
import { mergeAttributeLines, parseConfigList, selectEngine } from './support.js';
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

describe('git log --raw -z queue outline', () => {
  // Real output of git 2.39.5 (`--format=%m%H %P%x00%T%x00%s --raw --no-renames -z --reverse`): a root
  // commit, an empty commit, and a subject that starts like a raw entry.
  const log =
    '>b6a112935a0e0594c698aac3d560dc41a648a3d9 \u0000abc6ff1c01cd9f7e5f6f54b00b69e3d0c69b20e2\u0000root\u0000\n:000000 100644 0000000 7898192 A\u0000odd name:x.txt\u0000' +
    '=b5030d7ec3a6522f0fe4cd48f227c7bdec9bd4ce b6a112935a0e0594c698aac3d560dc41a648a3d9\u0000abc6ff1c01cd9f7e5f6f54b00b69e3d0c69b20e2\u0000empty one\u0000' +
    '>e40319a65de5a105b8f46107695ed65c7bc0cbc0 b5030d7ec3a6522f0fe4cd48f227c7bdec9bd4ce\u000002573c73b30e30f3a6e02d69f95677b44b442333\u0000:looks like raw\u0000\n:000000 100644 0000000 6178079 A\u0000f\u0000:100644 000000 7898192 0000000 D\u0000odd name:x.txt\u0000';
  it('reads marks, parents, trees, subjects and paths by position', () => {
    expect(parseQueueLog(log)).toEqual([
      { sha: 'b6a112935a0e0594c698aac3d560dc41a648a3d9', parents: [], same: false, tree: 'abc6ff1c01cd9f7e5f6f54b00b69e3d0c69b20e2', subject: 'root', paths: [{ status: 'A', path: 'odd name:x.txt' }] },
      { sha: 'b5030d7ec3a6522f0fe4cd48f227c7bdec9bd4ce', parents: ['b6a112935a0e0594c698aac3d560dc41a648a3d9'], same: true, tree: 'abc6ff1c01cd9f7e5f6f54b00b69e3d0c69b20e2', subject: 'empty one', paths: [] },
      {
        sha: 'e40319a65de5a105b8f46107695ed65c7bc0cbc0',
        parents: ['b5030d7ec3a6522f0fe4cd48f227c7bdec9bd4ce'],
        same: false,
        tree: '02573c73b30e30f3a6e02d69f95677b44b442333',
        subject: ':looks like raw',
        paths: [
          { status: 'A', path: 'f' },
          { status: 'D', path: 'odd name:x.txt' },
        ],
      },
    ]);
  });
  it.each([
    ['empty output', '', []],
    ['one modification', ':100644 100644 4cdae9f1 437c4bbe M\u0000drivers/d135/f0086.c\u0000', [{ status: 'M', path: 'drivers/d135/f0086.c' }]],
    ['type change and add', ':100644 120000 aaaaaaa bbbbbbb T\u0000link\u0000:000000 100755 0000000 ccccccc A\u0000bin/run\u0000', [{ status: 'T', path: 'link' }, { status: 'A', path: 'bin/run' }]],
  ])('parseRawZ: %s', (_name, raw, expected) => expect(parseRawZ(raw)).toEqual(expected));
  it('refuses output it does not understand', () => expect(() => parseQueueLog('warning: something\u0000')).toThrow(/unexpected output/));
});

describe('upstreamChanges', () => {
  const e = (status: string, path: string) => ({ status, path });
  it.each([
    ['nothing', [], {}],
    ['one modification', [[e('M', 'a')]], { a: 'M' }],
    ['modified twice', [[e('M', 'a')], [e('M', 'a')]], { a: 'M' }],
    ['added then modified', [[e('A', 'a')], [e('M', 'a')]], { a: 'X' }],
    ['modified then deleted', [[e('M', 'a')], [e('D', 'a')]], { a: 'X' }],
    ['type change', [[e('T', 'l')]], { l: 'X' }],
  ])('%s', (_name, lists, expected) => expect(Object.fromEntries(upstreamChanges(lists as { status: string; path: string }[][]))).toEqual(expected));
});

describe('git merge-tree --stdin answers', () => {
  // Real answers of git 2.39.5 (`merge-tree --write-tree --stdin --name-only`).
  const clean = '1\u0000775bd47fc43e5eeaf74c53d09b887e313e04ad91\u0000\u0000';
  const conflict =
    '0\u00005ef2e317615f9101a3efd3b474b546020a61cc1d\u0000drivers/d144/f0076.c\u0000\u00001\u0000drivers/d144/f0076.c\u0000Auto-merging\u0000Auto-merging drivers/d144/f0076.c\n\u0000' +
    '1\u0000drivers/d144/f0076.c\u0000CONFLICT (contents)\u0000CONFLICT (content): Merge conflict in drivers/d144/f0076.c\n\u0000\u0000';
  // Both sides moved a gitlink: git 2.39 adds free-form advice, ended by the answer's NUL.
  const submodule =
    '0\u00005161f432c3575e9b7bf925974399f1ad623f4820\u0000sub\u0000\u00001\u0000sub\u0000CONFLICT (submodule not initialized)\u0000Failed to merge submodule sub (not checked out)\n\u0000' +
    '1\u0000sub\u0000CONFLICT (contents)\u0000CONFLICT (submodule): Merge conflict in sub\n\u0000Recursive merging with submodules currently only supports trivial cases.\n' +
    'Please manually handle the merging of each conflicted submodule.\nThis can be accomplished with the following steps:\n - come back to superproject and run:\n\n      git add sub\n\n' +
    '   to record the above merge or update\n - resolve any other conflicts in the superproject\n - commit the resulting index in the superproject\n\u0000';
  it.each([
    ['nothing yet', '', -1],
    ['status only', '1\u0000', -1],
    ['clean without its terminator', clean.slice(0, -1), -1],
    ['clean', clean, clean.length],
    ['clean, then the start of the next', `${clean}0\u00005ef2`, clean.length],
    ['conflict without its terminator', conflict.slice(0, -1), -1],
    ['conflict cut inside a message', conflict.slice(0, 120), -1],
    ['conflict', conflict, conflict.length],
    ['conflict, then a clean one', conflict + clean, conflict.length],
    ['submodule conflict with advice text', submodule, submodule.length],
    ['submodule conflict, advice not ended yet', submodule.slice(0, -1), -1],
  ])('mergeReplyLength: %s', (_name, pending, expected) => expect(mergeReplyLength(pending)).toBe(expected));
  it('parses an answer like the one-shot output', () => {
    expect(parseMergeReply(submodule)).toMatchObject({ clean: false, files: ['sub'], conflicts: [{ type: 'CONFLICT (submodule not initialized)' }, { type: 'CONFLICT (contents)' }] });
    expect(parseMergeReply(clean)).toEqual({ clean: true, tree: '775bd47fc43e5eeaf74c53d09b887e313e04ad91', files: [], conflicts: [] });
    expect(parseMergeReply(conflict)).toMatchObject({ clean: false, tree: '5ef2e317615f9101a3efd3b474b546020a61cc1d', files: ['drivers/d144/f0076.c'], conflicts: [{ type: 'CONFLICT (contents)', paths: ['drivers/d144/f0076.c'] }] });
  });
  it('refuses an answer it does not understand', () => expect(() => mergeReplyLength('fatal: oops\u0000x\u0000')).toThrow(/unexpected answer/));
});

