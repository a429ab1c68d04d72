import { EXIT, RebaseDailyError } from '@rebase-daily/core';
import { GT_INSTALL_HINT } from './gt-bin.js';

const g = (code: string, message: string, details: Record<string, unknown> = {}) => new RebaseDailyError(code, message, EXIT.graphiteFailed, details);

/** Align's domain errors (exit 13). Each message is one line and says what to do next. */
export const graphiteErrors = {
  gtMissing: (configured?: string) =>
    g('E_GT_MISSING', `gt not found${configured ? ` at graphite.bin "${configured}"` : ' on PATH or in node_modules/.bin'}; ${GT_INSTALL_HINT}`, { configured: configured ?? null }),
  trunkMismatch: (graphiteTrunk: string | null, configTrunk: string) =>
    g(
      'E_GRAPHITE_TRUNK_MISMATCH',
      `Graphite's trunk is "${graphiteTrunk ?? '(none)'}" but the config's trunk is "${configTrunk}"; run \`gt init --trunk ${configTrunk}\` or fix "trunk" in the config`,
      { graphiteTrunk, configTrunk },
    ),
  syncFailed: (message: string) =>
    g('E_GRAPHITE_SYNC_FAILED', `gt sync --no-restack failed (${message}); check network access to Graphite and \`gt auth\`, or set graphite.onSyncFailure to "continue"`, { message }),
  syncMovedTrunk: (trunk: string, from: string, to: string, restored: boolean) =>
    g(
      'E_GRAPHITE_SYNC_MOVED_TRUNK',
      `gt sync moved ${trunk} from ${from.slice(0, 12)} to ${to.slice(0, 12)} (the remote trunk differs from the rewritten one)${restored ? `; ${trunk} was put back` : ''}; push the trunk or inspect the remote, then rerun`,
      { trunk, from, to, restored },
    ),
  commandFailed: (what: string, message: string) => g('E_GRAPHITE_COMMAND_FAILED', `${what} failed: ${message}; run it by hand to see why`, { what }),
  worktreeBusy: (busy: { branch: string; path: string }[]) =>
    g(
      'E_GRAPHITE_WORKTREE_BUSY',
      `descendant branch(es) checked out in other worktrees cannot be restacked: ${busy.map((b) => `${b.branch} (${b.path})`).join(', ')}; switch those worktrees to another branch (\`git -C <path> switch --detach\`), then rerun`,
      { busy },
    ),
  restackConflict: (branch: string, files: string[]) =>
    g(
      'E_GRAPHITE_RESTACK_CONFLICT',
      `gt restack hit a conflict restacking ${branch}${files.length ? ` in ${files.join(', ')}` : ''}; the restack was aborted and every branch restored; resolve it by hand (see the reproduce commands)`,
      { branch, files },
    ),
  restackTimedOut: (seconds: number) =>
    g('E_GRAPHITE_RESTACK_TIMEOUT', `gt restack did not finish within ${seconds}s; it was stopped and every branch restored; raise graphite.restackTimeoutSeconds or run it by hand`, { seconds }),
  restoreIncomplete: (problems: string[]) =>
    g('E_GRAPHITE_RESTORE_INCOMPLETE', `restoring the branches after a failed restack was incomplete: ${problems.join('; ')}`, { problems }),
  parentageDrift: (branches: string[]) =>
    g(
      'E_GRAPHITE_PARENTAGE',
      `parentage is inconsistent after the restack for ${branches.join(', ')}; run the recovery commands in the report (e.g. \`gt track --parent …\`), then rerun`,
      { branches },
    ),
} as const;
