import { describe, expect, it } from 'vitest';
import { parseRemoteVerbose } from './push-urls.js';

describe('parseRemoteVerbose (git remote -v)', () => {
  it.each([
    ['no remotes', '', {}],
    [
      'fetch and push lines',
      'origin\t/srv/fork.git (fetch)\norigin\t/srv/fork.git (push)\nupstream\thttps://example.com/up.git (fetch)\nupstream\tDISABLED (push)\n',
      { origin: { fetch: '/srv/fork.git', push: '/srv/fork.git' }, upstream: { fetch: 'https://example.com/up.git', push: 'DISABLED' } },
    ],
    [
      'several push URLs: the first is the push URL (what get-url --push prints first)',
      'origin\ta (fetch)\norigin\tb (push)\norigin\tc (push)\n',
      { origin: { fetch: 'a', push: 'b' } },
    ],
    ['a URL with a space', 'origin\t/srv/my fork.git (fetch)\norigin\t/srv/my fork.git (push)\n', { origin: { fetch: '/srv/my fork.git', push: '/srv/my fork.git' } }],
    ['a partial clone: the fetch line ends with its filter', 'origin\t/srv/fork.git (fetch) [blob:none]\norigin\t/srv/fork.git (push)\n', { origin: { fetch: '/srv/fork.git', push: '/srv/fork.git' } }],
    ['a push line without a fetch line is no remote', 'x\tb (push)\n', {}],
  ])('%s', (_name, text, want) => {
    expect(Object.fromEntries(parseRemoteVerbose(text))).toEqual(want);
  });
});
