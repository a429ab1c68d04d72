/**
 * Credentials in remote URLs (https://user:token@host, https://token@host) are replaced wherever
 * text is logged or reported. SSH-style `git@host:` has no secret and is left alone.
 */
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)([^/@\s:]+)(:[^/@\s]*)?@/gi;

export function redact(text: string): string {
  return text.replace(URL_CREDENTIALS, (_m, scheme: string) => `${scheme}***@`);
}

export function redactArgv(argv: readonly string[]): string[] {
  return argv.map(redact);
}
