import { z } from 'zod';
import { OUTCOMES, type ErrorRecord, type Outcome } from '@rebase-daily/core';

/** The one JSON shape every command prints with --json. */
export const EnvelopeSchema = z.object({
  command: z.string(),
  ok: z.boolean(),
  exitCode: z.number().int(),
  outcome: z.enum(OUTCOMES).nullable(),
  data: z.unknown(),
  errors: z.array(z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() })),
});
export type Envelope = z.infer<typeof EnvelopeSchema>;

export function envelope(command: string, exitCode: number, outcome: Outcome | null, data: unknown, errors: ErrorRecord[] = []): Envelope {
  return { command, ok: exitCode === 0, exitCode, outcome, data, errors: errors.map(({ code, message, details }) => ({ code, message, ...(details ? { details } : {}) })) };
}

export function envelopeJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(EnvelopeSchema, { target: 'draft-2020-12' }) as Record<string, unknown>;
}
