import { afterEach, describe, expect, it } from 'vitest';
import { clearRedactedEnv, redact, redactDeep, redactEnv, secretEnvValues } from './redact.js';

// Fake values shaped like real credentials (never real ones).
const GHP = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
const PAT = 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz';

describe('redact', () => {
  it.each([
    ['https://user:s3cret@github.com/o/r.git', 'https://***@github.com/o/r.git'],
    ['https://ghp_token123@github.com/o/r.git', 'https://***@github.com/o/r.git'],
    [`https://bot:${GHP}@127.0.0.1:9/x.git`, 'https://***@127.0.0.1:9/x.git'],
    ['git@github.com:o/r.git', 'git@github.com:o/r.git'],
    ['/tmp/origin.git', '/tmp/origin.git'],
    ['fatal: unable to access https://x:y@host/a/: 403', 'fatal: unable to access https://***@host/a/: 403'],
    ['ssh://git@host:22/repo', 'ssh://***@host:22/repo'],
    ['{"url":"https://host/x","mail":"a@b"}', '{"url":"https://host/x","mail":"a@b"}'],
    [`token is ${GHP} here`, 'token is *** here'],
    [`gho_${'a'.repeat(36)}`, '***'],
    [`ghs_${'B'.repeat(36)}`, '***'],
    [PAT, '***'],
    ['glpat-abcdefghij0123456789', '***'],
    ['xoxb-1234567890-abcdefghij', '***'],
    ['key AKIAIOSFODNN7EXAMPLE end', 'key *** end'],
    ['aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'aws_secret_access_key = ***'],
    ['http.extraheader=AUTHORIZATION: basic eC1hY2Nlc3MtdG9rZW46c2VjcmV0', 'http.extraheader=AUTHORIZATION: basic ***'],
    ['-c http.extraHeader=Authorization: Bearer abc.def.ghi-jkl', '-c http.extraHeader=Authorization: Bearer ***'],
    ['Authorization: token deadbeefcafe', 'Authorization: token ***'],
    ['curl -H "Bearer abcdefghijklmnop"', 'curl -H "Bearer ***"'],
    ['a ghp_short b', 'a ghp_short b'],
    ['commit e5d514c0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6', 'commit e5d514c0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6'],
  ])('%s', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });
});

describe('secret environment values', () => {
  afterEach(() => clearRedactedEnv());

  it.each([
    [{ GH_TOKEN: 'plainvalue1' }, ['plainvalue1']],
    [{ GITHUB_TOKEN: 'plainvalue2' }, ['plainvalue2']],
    [{ NPM_TOKEN: 'npm-secret', MY_SECRET: 'hush-hush', DB_PASSWORD: 'hunter22', OPENAI_API_KEY: 'sk-abcdef' }, ['npm-secret', 'hush-hush', 'hunter22', 'sk-abcdef']],
    [{ HOME: '/home/user', PATH: '/usr/bin', TOKEN_COUNT: '1' }, []],
  ])('%j → %j', (env, expected) => {
    expect(secretEnvValues(env)).toEqual(expected);
  });

  it('redacts the values of a registered environment wherever they appear', () => {
    expect(redact('fatal: auth failed with plainvalue9x')).toBe('fatal: auth failed with plainvalue9x');
    redactEnv({ GH_TOKEN: 'plainvalue9x' });
    expect(redact('fatal: auth failed with plainvalue9x')).toBe('fatal: auth failed with ***');
  });

  it('redacts the values of process.env', () => {
    process.env.REDACT_TEST_SECRET = 'from-process-env';
    try {
      expect(redact('x from-process-env y')).toBe('x *** y');
    } finally {
      delete process.env.REDACT_TEST_SECRET;
    }
  });
});

describe('redactDeep', () => {
  it('redacts every string, keys included, and keeps the shape', () => {
    const value = { url: `https://bot:${GHP}@h/x.git`, n: 1, ok: true, none: null, list: [GHP, { [GHP]: 'k' }] };
    expect(redactDeep(value)).toEqual({ url: 'https://***@h/x.git', n: 1, ok: true, none: null, list: ['***', { '***': 'k' }] });
  });
});
