import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commitFiles, git, type ForkFixture } from '@rebase-daily/core/testing';

export const lib = (line2: string) => `line 1\n${line2}\nline 3\n`;

/** Another clone of the fork remote pushes one commit to `branch` there; returns its SHA. */
export function pushFromOtherClone(f: ForkFixture, branch: string, file = 'OTHER.md'): string {
  const other = f.otherClone();
  git(other, 'checkout', '-q', '-B', branch, `origin/${branch}`);
  const sha = commitFiles(other, { [file]: 'pushed by someone else\n' }, `someone else: ${file}`);
  git(other, 'push', '-q', 'origin', `HEAD:refs/heads/${branch}`);
  return sha;
}

/**
 * A client-side pre-push hook in the fork clone that, the first time the trunk is pushed, makes
 * another clone push a commit to the fork's trunk first: the remote moves under our feet between
 * our last look and our push. Returns the path of the file where the hook writes the SHA it pushed.
 */
export function installRacingPrePushHook(f: ForkFixture): string {
  const other = f.otherClone('racer');
  git(other, 'checkout', '-q', '-B', f.trunk, `origin/${f.trunk}`);
  const shaFile = join(f.root, 'racer-sha');
  const hook = join(f.clone, '.git', 'hooks', 'pre-push');
  writeFileSync(
    hook,
    `#!/bin/sh
# Only race the trunk push, and only once.
grep -q " refs/heads/${f.trunk} " || exit 0
[ -f '${shaFile}' ] && exit 0
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_PREFIX
cd '${other}' || exit 1
echo race > RACE.md && git add RACE.md && git commit -q -m 'someone else: raced the push' || exit 1
git push -q origin HEAD:refs/heads/${f.trunk} || exit 1
git rev-parse HEAD > '${shaFile}'
exit 0
`,
  );
  chmodSync(hook, 0o755);
  return shaFile;
}

export const remoteSha = (f: ForkFixture, branch: string) => git(f.originBare, 'rev-parse', `refs/heads/${branch}`);
