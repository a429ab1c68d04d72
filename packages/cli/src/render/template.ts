import { errors } from '@rebase-daily/core';

const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}/g;

/** The `{{name}}` placeholders a template uses, in order of first use. */
export function placeholdersOf(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]))];
}

/**
 * Fill `{{name}}` placeholders. A placeholder without a value, or anything that still looks like
 * one afterwards, is an internal error: a rendered prompt must never reach an agent half-filled.
 */
export function renderTemplate(template: string, values: Record<string, string>): string {
  const missing = placeholdersOf(template).filter((name) => !(name in values));
  if (missing.length) throw errors.internal(`template placeholders without a value: ${missing.join(', ')}`, { missing });
  const out = template.replace(PLACEHOLDER, (_m, name: string) => values[name]);
  const left = out.match(/\{\{[^}]*\}\}/);
  if (left) throw errors.internal(`rendered text still contains ${left[0]}`);
  return out;
}
