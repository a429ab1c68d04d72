import { errors, RebaseDailyError } from './errors.js';
import { EXIT } from './exit-codes.js';

/** The error catalog of `rebase-daily resolve`: each message one line naming the next step. */
export const resolveErrors = {
  /** `verb`: what the command would have done ("nothing to finish"). */
  none: (configFlag: string, verb?: string) =>
    new RebaseDailyError('E_RESOLVE_NONE', `no conflict resolution is in progress${verb ? `, so there is nothing to ${verb}` : ''}; start one with \`rebase-daily resolve start ${configFlag}\``, EXIT.notReady),
  active: (id: string, where: string) =>
    new RebaseDailyError(
      'E_RESOLVE_ACTIVE',
      `resolution ${id} is already in progress (${where}); see \`rebase-daily resolve status\`, then \`resolve continue\`, \`resolve finish\` or \`resolve abort\``,
      EXIT.internal,
      { id },
    ),
  nothingToResolve: (trunk: string, upstream: string) =>
    new RebaseDailyError('E_RESOLVE_NOTHING', `${trunk} already contains upstream ${upstream.slice(0, 12)}; there is nothing to resolve (run \`rebase-daily daily\`)`, EXIT.internal),
  unmerged: (files: string[]) =>
    new RebaseDailyError('E_RESOLVE_UNMERGED', `still in conflict: ${files.join(', ')}; edit them, \`git add\` them in the resolution worktree, then rerun \`resolve continue\``, EXIT.notReady, { files }),
  markers: (files: string[]) =>
    new RebaseDailyError('E_RESOLVE_MARKERS', `conflict markers remain in staged files: ${files.join(', ')}; remove them, \`git add\` again, then rerun \`resolve continue\``, EXIT.notReady, { files }),
  wouldDrop: (patch: string) =>
    new RebaseDailyError(
      'E_RESOLVE_WOULD_DROP',
      `the resolution leaves patch ${patch} empty, which drops it from the queue; that is an escalation gate: ask a human, or stage the change you meant and rerun \`resolve continue\``,
      EXIT.gate,
    ),
  notReplayed: (position: number | null, length: number) =>
    new RebaseDailyError(
      'E_RESOLVE_NOT_REPLAYED',
      `the queue is not fully replayed (stopped at patch ${position ?? '?'} of ${length}); resolve it and run \`resolve continue\` first`,
      EXIT.notReady,
    ),
  noValidation: () =>
    new RebaseDailyError(
      'E_RESOLVE_NO_VALIDATION',
      'validation is not configured, so finish cannot prove the resolution builds; add a "validate" section, or pass `--no-validate --reason TEXT` (recorded in the report)',
      EXIT.usage,
    ),
  reasonRequired: () => errors.usage('`--no-validate` needs `--reason TEXT` (it is recorded in the report); see `rebase-daily resolve --help`'),
  worktreeMissing: (path: string) =>
    new RebaseDailyError('E_RESOLVE_WORKTREE_MISSING', `the resolution worktree ${path} is gone; run \`rebase-daily resolve abort\`, then \`resolve start\` again`, EXIT.internal, { path }),
  alreadyPublished: (ref: string) =>
    new RebaseDailyError('E_RESOLVE_PUBLISHED', `${ref} on the fork already holds the resolution; abort would leave it published: run \`rebase-daily resolve finish\` to complete`, EXIT.internal),
  gate: (gates: { name: string; detail: string }[]) =>
    new RebaseDailyError(
      'E_RESOLVE_GATE',
      `escalation gate${gates.length > 1 ? 's' : ''} ${gates.map((g) => `"${g.name}" (${g.detail})`).join('; ')} hold${gates.length > 1 ? '' : 's'}; nothing published: a human accepts ${gates.length > 1 ? 'each' : 'it'} with \`resolve finish ${gates.map((g) => `--accept ${g.name}`).join(' ')} --reason TEXT\`, or the resolution is fixed (\`resolve fixup|edit <patch>\`) or aborted`,
      EXIT.gate,
      { gates: gates.map((g) => g.name) },
    ),
  unknownGate: (name: string, known: readonly string[]) =>
    errors.usage(`--accept ${name}: no such escalation gate; the gates are ${known.join(', ')}`),
  acceptNeedsReason: () => errors.usage('`--accept <gate>` needs `--reason TEXT` (it is recorded in the report); see `rebase-daily resolve --help`'),
  noPatch: (given: string, queueLength: number) =>
    new RebaseDailyError('E_RESOLVE_NO_PATCH', `no patch "${given}" in the replayed queue; name it by position (1..${queueLength}), by SHA (old or new) or see \`rebase-daily resolve status\``, EXIT.usage, { given }),
  notEditable: (why: string) =>
    new RebaseDailyError('E_RESOLVE_NOT_EDITABLE', `cannot rewrite the replayed queue now: ${why}`, EXIT.notReady),
  nothingStaged: (wt: string) =>
    new RebaseDailyError('E_RESOLVE_NOTHING_STAGED', `nothing is staged in ${wt}; edit the files there, \`git add\` them, then rerun \`resolve fixup <patch>\``, EXIT.notReady, { worktree: wt }),
  leftoverState: (path: string) =>
    new RebaseDailyError('E_RESOLVE_ACTIVE', `a resolution state file remains at ${path} without its lock; run \`rebase-daily resolve status\`, then \`resolve abort\``, EXIT.internal),
} as const;
