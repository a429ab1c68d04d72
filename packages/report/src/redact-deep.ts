import { redact } from '@rebase-daily/core';

/**
 * Redact credentials in every string of a JSON-like value. Stage data, error details and lock
 * holders are free-form, so the report redacts all of it rather than trusting each producer.
 */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as T;
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v);
    return out as T;
  }
  return value;
}
