import { lockDirFor, runPaths, shellQuote, type ResolvedConfig } from '@rebase-daily/core';
import resolveProcedure from '../prompt/resolve-procedure.md';
import { renderTemplate } from './template.js';

/** The agent's conflict-resolution procedure (rendered into the prompt when `conflicts.owner` is `agent`). */
export const RESOLVE_PROCEDURE: string = resolveProcedure;

export interface RenderOptions {
  /** How the operator invokes rebase-daily, e.g. `npx rebase-daily` or `node /opt/rd/packages/cli/dist/bin.js`. */
  cli: string;
}

const code = (s: string) => `\`${s}\``;

/** What validate will run, in words, from the config (the defaults mirror cargo-validate's). */
function validateText(config: ResolvedConfig): string {
  const v = config.validate;
  if (!v) return 'not configured: the validate stage reports `not-configured` and runs nothing. A scheduled run without validation proves only that the rebase applied, not that the fork still builds';
  const format = v.format === false ? 'no formatting step' : v.format ? code(v.format.join(' ')) : `${code('just fmt')} (when a justfile exists there, else ${code('cargo fmt --all')})`;
  const extra = v.extraSteps.length ? `, then ${v.extraSteps.map((s) => code(s.command.join(' '))).join(', ')}` : '';
  return `in ${code(v.cwd)}: formatting ${format}, then ${code(v.test.join(' '))}${extra} (timeout ${v.timeoutSeconds} s). Scheduled runs run the full suite without asking`;
}

/** What the configured engine does to move the trunk, in words. */
function engineText(config: ResolvedConfig): string {
  const memory = 'replays the queue in memory (`git merge-tree --write-tree`), runs no `git rebase`, and moves the trunk with a compare-and-swap `git update-ref`';
  const worktree = 'runs `git rebase` on a detached HEAD in a temporary worktree, then moves the trunk by compare-and-swap';
  if (config.engine === 'memory') return `\`memory\`: ${memory}`;
  if (config.engine === 'worktree') return `\`worktree\`: ${worktree}`;
  return `\`auto\`: the memory engine (${memory}) unless the repository needs the worktree engine (${worktree}); the report's warnings say when it fell back`;
}

/** Values for the prompt's `{{placeholders}}`, all taken from the config. */
export function promptValues(config: ResolvedConfig, options: RenderOptions): Record<string, string> {
  const { fork, upstream } = config.remotes;
  const configFlag = `--config ${shellQuote(config.configPath)}`;
  const values: Record<string, string> = {
    repo: config.repoPath,
    configPath: config.configPath,
    configFlag,
    cli: options.cli,
    trunk: config.trunk,
    mirror: config.mirror,
    upstreamBranch: config.upstreamBranch,
    upstreamRef: `${upstream}/${config.upstreamBranch}`,
    forkRemote: fork,
    upstreamRemote: upstream,
    scratch: config.scratchPath,
    lockDir: lockDirFor(config.scratchPath),
    reportDir: `${runPaths(config.scratchPath).base}/<YYYY-MM-DD>`,
    runsDir: runPaths(config.scratchPath).runsDir,
    staleAfterHours: String(config.lock.staleAfterHours),
    onConflict:
      config.onConflict === 'stop'
        ? '`stop`: a verify conflict ends the day with nothing changed'
        : '`advance`: on a verify conflict, apply advances the trunk to the last upstream commit that replays cleanly, and the report still names the conflict',
    push: config.push.enabled ? `the trunk and the mirror are pushed to ${code(fork)} with an explicit-SHA lease` : 'pushing is disabled (`push.enabled: false`): the run changes local branches only',
    graphite: config.graphite
      ? `configured: align runs ${code('gt sync --no-restack')} and restacks the tracked descendants of ${code(config.trunk)} (if there are none, the restack is skipped and the report says so)`
      : 'not configured: the align stage reports `not-configured` and never calls gt',
    validate: validateText(config),
    engine: engineText(config),
    version: config.version
      ? `configured: apply sets the fork version to the upstream version plus ${code(config.version.suffix)} (${config.version.source === 'tag' ? 'from the newest upstream tag' : `from ${code(config.version.manifest)}`}); a version that is already right is a no-op`
      : 'not configured: no version bump',
  };
  return { ...values, ...conflictValues(config, values) };
}

/** What the prompt says about conflicts, by `conflicts.owner`. */
function conflictValues(config: ResolvedConfig, values: Record<string, string>): Record<string, string> {
  if (config.conflicts.owner === 'agent') {
    return {
      conflictRole: 'conflict resolution is yours, through `rebase-daily resolve` only (see Conflict resolution)',
      conflictExit: 'resolve it: follow Conflict resolution',
      conflictEscalation: 'not a hard stop on this fork (`conflicts.owner: "agent"`): resolve it with `rebase-daily resolve` (Conflict resolution) and stop only at its escalation gates',
      conflictProcedure: renderTemplate(RESOLVE_PROCEDURE, values),
    };
  }
  return {
    conflictRole: 'you do not resolve conflicts (`conflicts.owner: "human"`)',
    conflictExit: 'hard stop: Run Summary + Next human actions',
    conflictEscalation: "conflict resolution is a human's job (`conflicts.owner: \"human\"`), with `rebase-daily resolve` or the manual fallback, outside this run",
    conflictProcedure: 'A human owns conflicts on this fork (`conflicts.owner: "human"`): on exit 10 or 11 you stop and report. The human resolves with `rebase-daily resolve` (runbook: "Resolving a conflict day"). Setting `conflicts.owner` to `"agent"` in the config hands this to you, with a procedure here.',
  };
}

/** The `<token>` words the docs use for this fork's values, and what they become when rendered. */
export function docTokens(config: ResolvedConfig): Record<string, string> {
  return {
    '<trunk>': config.trunk,
    '<mirror>': config.mirror,
    '<upstream-branch>': config.upstreamBranch,
    '<fork-remote>': config.remotes.fork,
    '<upstream-remote>': config.remotes.upstream,
    '<repo>': config.repoPath,
    '<config>': config.configPath,
    '<scratch>': config.scratchPath,
  };
}
