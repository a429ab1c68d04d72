import { join } from 'node:path';
import { z } from 'zod';
import { EXIT, OUTCOMES } from '../errors/exit-codes.js';

/**
 * Which fleet exit code wins, most severe first: the codes that mean the tool or its input is
 * broken, then the ones where the fork remote or trunk needs a human, then the ones that only
 * report a day not taken (validation, Graphite, partial), then another run holding the lock.
 * `daily.mjs --all` exits with the first code in this list that any fork gave.
 */
export const FLEET_SEVERITY: readonly number[] = [
  EXIT.internal,
  EXIT.usage,
  EXIT.sigterm,
  EXIT.sigint,
  EXIT.pushBlocked,
  EXIT.applyConflict,
  EXIT.verifyConflict,
  EXIT.validationFailed,
  EXIT.graphiteFailed,
  EXIT.partial,
  EXIT.lockTaken,
  EXIT.ok,
];

/** The fleet's exit code: the most severe of its forks' (unknown codes count as internal errors). */
export function fleetExitCode(codes: readonly number[]): number {
  const known = codes.map((c) => (FLEET_SEVERITY.includes(c) ? c : EXIT.internal));
  return known.reduce((worst, c) => (FLEET_SEVERITY.indexOf(c) < FLEET_SEVERITY.indexOf(worst) ? c : worst), EXIT.ok as number);
}

/** The run id of one fork in a fleet run: the fleet's id and the fork's project name. */
export function fleetForkRunId(fleetRunId: string, project: string): string {
  return `${fleetRunId}-${project.replace(/[^A-Za-z0-9._-]+/g, '-')}`;
}

/** One fork of a fleet run, as the fleet summary lists it. */
export const FleetForkSchema = z
  .object({
    name: z.string().min(1).describe('the Nx project name of the fork'),
    config: z.string().min(1).describe('absolute path of the fork config (rebase-daily.json)'),
    runId: z.string().nullable().describe("the fork's run id (fleet run id + project name)"),
    outcome: z.union([z.enum(OUTCOMES), z.literal('not-run')]).describe("the run's outcome; not-run when Nx never started the fork's run"),
    exitCode: z.number().int().describe("the fork's exit code (0, 10–16, 1, 2, 130, 143)"),
    report: z.string().nullable().describe("absolute path of the fork's report.json; null when no report was written"),
  })
  .strict();
export type FleetFork = z.infer<typeof FleetForkSchema>;

/**
 * The fleet summary `daily.mjs --all` writes to `<workspace>/.rebase-daily/fleet/<YYYY-MM-DD>/fleet.json`
 * (+ fleet.md): the input of the fleet dashboard. Forks sorted by name.
 */
export const FleetSummarySchema = z
  .object({
    schemaVersion: z.literal(1),
    fleetRunId: z.string().min(1),
    generatedAt: z.string().describe('ISO timestamp when the summary was written'),
    exitCode: z.number().int().describe('the most severe fork exit code (FLEET_SEVERITY order)'),
    parallel: z.number().int().positive(),
    forks: z.array(FleetForkSchema),
  })
  .strict();
export type FleetSummary = z.infer<typeof FleetSummarySchema>;

/** Where `daily.mjs --all` writes the day's fleet summary: `<workspace>/.rebase-daily/fleet/<YYYY-MM-DD>/`. */
export function fleetSummaryPaths(workspaceRoot: string, day: string): { dir: string; json: string; md: string } {
  const dir = join(workspaceRoot, '.rebase-daily', 'fleet', day);
  return { dir, json: join(dir, 'fleet.json'), md: join(dir, 'fleet.md') };
}

/** The fleet summary as Markdown: one line per fork with outcome, exit code and its report. */
export function renderFleetMarkdown(summary: FleetSummary): string {
  const ok = summary.forks.filter((f) => f.exitCode === 0).length;
  const lines = [
    `# rebase-daily fleet — exit ${summary.exitCode}`,
    '',
    `Fleet run ${summary.fleetRunId} at ${summary.generatedAt}: ${summary.forks.length} fork(s), ${ok} exited 0, parallel ${summary.parallel}.`,
    '',
    '| fork | outcome | exit | report |',
    '| --- | --- | --- | --- |',
    ...summary.forks.map((f) => `| ${f.name} | ${f.outcome} | ${f.exitCode} | ${f.report ? `[report.json](${f.report})` : '(none)'} |`),
    '',
  ];
  return lines.join('\n');
}
