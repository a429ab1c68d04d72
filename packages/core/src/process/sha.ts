/**
 * The one spelling of an object id: 40 hex digits (SHA-1) or 64 (SHA-256), lowercase as git prints
 * them. Zod contracts, parsers of git output and argument checks all use this pattern.
 */
export const SHA_PATTERN = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** A full object id (`SHA_PATTERN`). */
export const isSha = (s: string): boolean => SHA_PATTERN.test(s);

/**
 * The one short form of an object id in messages, reports and logs: its first 12 digits (unique in
 * any repository this tool meets, and what `git log --abbrev=12` shows), or `absent` for a ref that
 * does not exist.
 */
export function shortSha(sha: string | null | undefined, absent = '(none)'): string {
  return sha ? sha.slice(0, 12) : absent;
}
