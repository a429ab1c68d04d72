import { z } from 'zod';
import { errors, OUTCOMES, type ErrorRecord, type Outcome } from '@rebase-daily/core';

/** The one JSON shape every command prints with --json (published as envelope.schema.json). */
export const EnvelopeSchema = z
  .object({
    command: z.string().describe('The command that ran: daily, verify, apply, align, validate, publish, report, status, doctor, prompt, init, lock, unlock, resolve start|continue|finish|abort|status, history, dashboard (or "usage" for a bad command line)'),
    ok: z.boolean().describe('exitCode === 0'),
    exitCode: z.number().int().describe('The process exit code (0, 1, 2, 10-16, 130, 143); see the runbook'),
    outcome: z.enum(OUTCOMES).nullable().describe('The run outcome for stage commands; null for commands that are not runs (status with no report, doctor/prompt/init/lock/unlock on success; lock-taken when lock or unlock is refused; resolved when resolve finish published)'),
    data: z
      .unknown()
      .describe(
        'Command-specific. Stage commands: {runId, reportPath, summaryPath, commandLog, decision} where decision is the decision of the run (outcome, exitCode, stoppedBy, moved, conflict in brief, failed stages, errors, nextActions; under 4 KB; DecisionSchema of @rebase-daily/cli), the full report (packages/report/report.schema.json) stays at reportPath and in `status --json --full`, and commandLog is the path of the JSONL command log (commands are referenced, never inlined). status: {latest: {readable, ok (the last run exited 0), runId, outcome, exitCode, reportPath, summaryPath, commandLog, decision, report (only with --full)} | null, lock, unfinished (the newest run when it never finished: crashed, killed or still running; else null), history: {path, days, runs, green, daysBehind, malformed} from the history ledger, or null}. doctor: {ok, configPath, repo, checks[{name, status ok|warn|fail|skip, message, fix?, details?}]}. prompt: {path, prompt}. init: {repo, configPath, config, detected, files[{path, action}], excluded, changed, schedule, warnings}. lock: {lock: {held, path, holder, override?}}. unlock: {lock: {held, path, released}}. resolve start|continue|status: the ResolveView of @rebase-daily/core (pin, position, queueLength, filesInConflict, conflict, next). resolve finish: {report (ResolveReport of @rebase-daily/core), reportPath, summaryPath}. resolve abort: {id, actions, archive}',
      ),
    errors: z
      .array(z.object({ code: z.string().describe('Stable error code, e.g. E_DIRTY_TREE'), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }))
      .describe('Errors with codes; empty on success'),
  })
  .describe('rebase-daily --json output');
export type Envelope = z.infer<typeof EnvelopeSchema>;

export function envelope(command: string, exitCode: number, outcome: Outcome | null, data: unknown, errors: ErrorRecord[] = []): Envelope {
  return { command, ok: exitCode === 0, exitCode, outcome, data, errors: errors.map(({ code, message, details }) => ({ code, message, ...(details ? { details } : {}) })) };
}

/** JSON Schema of the envelope, generated from the zod schema (checked in as envelope.schema.json). */
export function envelopeJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(EnvelopeSchema, { target: 'draft-2020-12' }) as Record<string, unknown>;
}

/** The envelope's record of a refused lock: the catalog's code, the lock's own message. */
export function lockTakenRecord(message: string): { code: string; message: string } {
  return { code: errors.lockTaken(message, {}).code, message };
}
