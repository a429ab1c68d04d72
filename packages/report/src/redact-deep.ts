/**
 * Redact credentials in every string of a JSON-like value: core's `redactDeep`, the same function
 * the CLI applies to every envelope and core to run state. Stage data, error details and lock
 * holders are free-form, so the report redacts all of it rather than trusting each producer.
 */
export { redactDeep } from '@rebase-daily/core';
