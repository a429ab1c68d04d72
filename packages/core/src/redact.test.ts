import { describe, expect, it } from 'vitest';
import { redact } from './redact.js';

describe('redact', () => {
  it.each([
    ['https://user:s3cret@github.com/o/r.git', 'https://***@github.com/o/r.git'],
    ['https://ghp_token123@github.com/o/r.git', 'https://***@github.com/o/r.git'],
    ['git@github.com:o/r.git', 'git@github.com:o/r.git'],
    ['/tmp/origin.git', '/tmp/origin.git'],
    ['fatal: unable to access https://x:y@host/a/: 403', 'fatal: unable to access https://***@host/a/: 403'],
    ['ssh://git@host:22/repo', 'ssh://***@host:22/repo'],
  ])('%s', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });
});
