import { z } from 'zod';
import { OUTCOMES, STAGES } from '@rebase-daily/core';
import type { Report } from '@rebase-daily/report';

/** The bound a run's `--json` decision keeps to, whatever the day: what an agent reads first, every run. */
export const DECISION_MAX_BYTES = 4096;

const sha = z.string().nullable();
const move = z.object({ before: sha, after: sha });

/**
 * The decision a run's `--json` envelope carries (`data.decision`): outcome, exit code, what moved,
 * the conflict in brief, the next actions as commands, and where the full report is. The full report
 * stays in its file (`data.reportPath`) and in `rebase-daily status --json --full`.
 */
export const DecisionSchema = z.object({
  outcome: z.enum(OUTCOMES),
  exitCode: z.number().int(),
  stoppedBy: z.enum(STAGES).nullable(),
  moved: z.object({ trunk: move, mirror: move, forkTrunk: move, pushed: z.array(z.string()).describe('Refs this run pushed') }),
  conflict: z
    .object({
      stage: z.enum(STAGES),
      patch: z.object({ sha: z.string(), subject: z.string() }).nullable(),
      position: z.number().int().nullable(),
      queueLength: z.number().int().nullable(),
      files: z.array(z.string()),
      moreFiles: z.number().int(),
    })
    .nullable(),
  failed: z.array(z.string()).describe('Each failed stage: "<name>: <summary>" (bounded)'),
  errors: z.array(z.object({ code: z.string(), message: z.string() })),
  nextActions: z.array(z.string()),
  moreNextActions: z.number().int().describe('Next actions left out to keep the decision under 4 KB (all are in the report)'),
  warnings: z.number().int().describe('How many warnings the report has'),
});
export type Decision = z.infer<typeof DecisionSchema>;

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The decision of a run, from its report: bounded so its JSON stays under DECISION_MAX_BYTES. */
export function decisionOf(report: Report): Decision {
  const { before, after } = report.shas;
  const c = report.conflict;
  const d: Decision = {
    outcome: report.outcome,
    exitCode: report.exitCode,
    stoppedBy: report.stoppedBy,
    moved: {
      trunk: { before: before.trunk, after: after.trunk },
      mirror: { before: before.mirror, after: after.mirror },
      forkTrunk: { before: before.forkTrunk, after: after.forkTrunk },
      pushed: report.pushed.map((p) => p.ref),
    },
    conflict: c ? { stage: c.stage, patch: c.patch ? { sha: c.patch.sha, subject: cut(c.patch.subject, 120) } : null, position: c.position, queueLength: c.queueLength, files: c.files.slice(0, 10), moreFiles: Math.max(0, c.files.length - 10) } : null,
    failed: report.stages.filter((s) => s.status === 'failed').map((s) => cut(`${s.name}: ${s.summary}`, 300)),
    errors: report.errors.slice(0, 5).map((e) => ({ code: e.code, message: cut(e.message, 300) })),
    nextActions: report.nextActions.map((a) => cut(a, 400)),
    moreNextActions: 0,
    warnings: report.warnings.length,
  };
  // Envelope fields around it (command, paths) take a few hundred bytes; keep the decision well inside.
  while (Buffer.byteLength(JSON.stringify(d)) > DECISION_MAX_BYTES - 800 && d.nextActions.length > 1) {
    d.nextActions.pop();
    d.moreNextActions++;
  }
  return d;
}
