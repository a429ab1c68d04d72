import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * The one redaction every output goes through: stdout and stderr of the CLI (human and --json),
 * progress lines, the command log, run state, reports and error messages. It replaces
 *
 * - the userinfo of URLs (`https://user:token@host` → `https://***@host`); SSH-style `git@host:`
 *   has no secret and is left alone;
 * - token-shaped values: GitHub (`ghp_…`, `gho_…`, `ghu_…`, `ghs_…`, `ghr_…`, `github_pat_…`),
 *   GitLab (`glpat-…`), Slack (`xox?-…`), AWS access key ids (`AKIA…`/`ASIA…`) and
 *   `aws_secret_access_key=…`, and the value of an `Authorization:` header or a `Bearer`
 *   credential (how `http.extraHeader` carries one);
 * - the literal value of every environment variable that holds a secret: `GH_TOKEN`,
 *   `GITHUB_TOKEN`, and any variable whose name contains TOKEN, SECRET, PASSWORD, PASSWD,
 *   API_KEY or PRIVATE_KEY (values of 6 characters or more), read from `process.env` and from any environment registered with `redactEnv`.
 */
export const REDACTED = '***';

// Userinfo stops at a quote too, so a URL inside JSON text cannot swallow the next string.
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)([^/@\s:"'`]+)(:[^/@\s"'`]*)?@/gi;

const TOKEN_PATTERNS: readonly RegExp[] = [
  /\bgh[pousr]_[A-Za-z0-9_]{16,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
  /\bglpat-[A-Za-z0-9_-]{16,}/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g,
  /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g,
];

/** `Authorization: Basic abc…`, `Authorization: bearer ghp…`, `Bearer abc…`, `token abc…` (keeps the scheme word). */
const HEADER_VALUE = /(\bauthorization\s*[:=]\s*)(?:(basic|bearer|token|digest|negotiate)\s+)?([^\s"'`,;]+)/gi;
const BEARER = /\b(bearer)(\s+)([A-Za-z0-9._~+/=-]{12,})/gi;
const AWS_SECRET = /\b(aws_secret_access_key\s*[=:]\s*)([^\s"'`,;]+)/gi;

const SECRET_ENV_NAME = /^(GH_TOKEN|GITHUB_TOKEN)$|TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|PRIVATE_?KEY/i;
/** Shorter values ("1", "true", a port) would redact ordinary text and guard nothing. */
const MIN_SECRET_LENGTH = 6;

const registered = new Set<string>();

/** Secret values of an environment: those of variables whose name says they hold one. */
export function secretEnvValues(env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value && value.trim().length >= MIN_SECRET_LENGTH && SECRET_ENV_NAME.test(name)) out.push(value.trim());
  }
  return out;
}

/** Also redact the secret values of this environment (the CLI's `io.env`, an executor's env). */
export function redactEnv(env: NodeJS.ProcessEnv): void {
  for (const v of secretEnvValues(env)) registered.add(v);
}

/** Forget environments registered with `redactEnv` (tests). */
export function clearRedactedEnv(): void {
  registered.clear();
}

function knownSecrets(): string[] {
  // Longest first, so a secret that contains another is replaced whole.
  return [...new Set([...secretEnvValues(process.env), ...registered])].sort((a, b) => b.length - a.length);
}

export function redact(text: string): string {
  if (!text) return text;
  let out = text;
  for (const secret of knownSecrets()) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  out = out.replace(URL_CREDENTIALS, (_m, scheme: string) => `${scheme}${REDACTED}@`);
  out = out.replace(HEADER_VALUE, (_m, head: string, scheme: string | undefined) => `${head}${scheme ? `${scheme} ` : ''}${REDACTED}`);
  out = out.replace(BEARER, (m, word: string, space: string, value: string) => (value === REDACTED ? m : `${word}${space}${REDACTED}`));
  out = out.replace(AWS_SECRET, (_m, head: string) => `${head}${REDACTED}`);
  for (const pattern of TOKEN_PATTERNS) out = out.replace(pattern, REDACTED);
  return out;
}

export function redactArgv(argv: readonly string[]): string[] {
  return argv.map(redact);
}

/**
 * Redact every string of a JSON-like value (keys too). Stage data, error details and lock holders
 * are free-form, so files and envelopes are redacted whole rather than trusting each producer.
 */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as T;
  if (typeof value === 'object' && value !== null) {
    if (value instanceof Date) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[redact(k)] = redactDeep(v);
    return out as T;
  }
  return value;
}

/** Redact a file a command streamed to (a validation log); rewritten only when something changed. */
export function redactFile(path: string): void {
  try {
    if (!existsSync(path)) return;
    const text = readFileSync(path, 'utf8');
    const clean = redact(text);
    if (clean !== text) writeFileSync(path, clean);
  } catch {
    // Best effort, like the log itself: an unreadable log must not fail the run.
  }
}
