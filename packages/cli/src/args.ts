import { parseArgs } from 'node:util';
import { closest, errors } from '@rebase-daily/core';

export const COMMANDS = {
  daily: 'run the whole day: verify → apply → align → validate → publish → report',
  verify: 'prove the trunk replays cleanly onto the exact upstream SHA; moves no ref',
  apply: 'fast-forward the mirror, rebase the trunk onto the verified SHA, bump — locally, pushes nothing',
  align: 'Graphite: gt sync --no-restack, restack tracked descendants, check parentage',
  validate: 'formatting and tests on the rebased trunk',
  publish: 'push trunk, mirror and restacked descendants to the fork in one atomic, leased push',
  report: "re-render the latest run's report.json and summary.md",
  status: 'show the latest report and the lock state',
  doctor: 'preflight without side effects: tools, remotes, push URLs, lock, leftovers, config',
  prompt: "render the operator agent's prompt for this config (stdout, or --write FILE)",
  init: 'in a fork: write a starter config, the prompt and the docs; print cron and systemd units',
  lock: 'hold the lock for manual work (resolving a conflict, the manual fallback); runs exit 15 meanwhile',
  unlock: 'end a hold taken by `lock`, or remove the lock of a run that died (never a live run\'s lock)',
  resolve: 'agent-owned conflict resolution: resolve start|continue|fixup <patch>|edit <patch>|finish|abort|status (a worktree, under the lock)',
  history: 'past runs and resolve sessions from the history ledger: a table, or --json',
  dashboard: 'write the self-contained HTML dashboard (one fork, or a fleet: several --config, or --fleet FILE)',
} as const;
export type CommandName = keyof typeof COMMANDS;

/** Commands that mutate nothing in the repository (they still need or accept a config). */
export const READ_ONLY_COMMANDS: readonly CommandName[] = ['status', 'report', 'doctor', 'prompt', 'history', 'dashboard'];

export interface ParsedArgs {
  command: CommandName | 'help';
  config?: string;
  repo?: string;
  json: boolean;
  help: boolean;
  /** No command and neither --help nor --version: usage on stderr, exit 2 (a typo'd cron line must not look fine). */
  bare: boolean;
  version: boolean;
  /** prompt: write the rendered prompt here instead of stdout. */
  write?: string;
  /** init / prompt --write: overwrite files that exist with different content. */
  force: boolean;
  /** init: where the rendered docs go (default <repo>/docs/rebase-daily). */
  docsDir?: string;
  /** init: where the rendered prompt goes (default <docs-dir>/agent-prompt.md). */
  promptFile?: string;
  /** init: the trunk branch when Graphite's trunk is not the one (or there is no Graphite). */
  trunk?: string;
  /** init: write a scheduled CI workflow for the workspace's forks instead (github). */
  ci?: string;
  /** lock: why the lock is held (shown to runs refused meanwhile). */
  reason?: string;
  /** resolve: start|continue|finish|abort|status. */
  subcommand?: string;
  /** resolve start: who authorised the agent to resolve (recorded in the report). */
  authorisedBy?: string;
  /** resolve finish: publish without validation (needs --reason). */
  noValidate: boolean;
  /** history / dashboard: only the last N days. */
  days?: number;
  /** dashboard: the HTML file to write. */
  out?: string;
  /** dashboard: a fleet summary JSON (`{forks: [{name, config}]}`). */
  fleet?: string;
  /** dashboard: every --config given (a fleet page when more than one). */
  configs: string[];
  /** resolve finish: escalation gates a human accepts by name (`--accept <gate>`, repeatable; needs --reason). */
  accept: string[];
  /** status: include the latest full report in the --json envelope. */
  full: boolean;
  /** resolve fixup|edit: the patch (position in the replayed queue, or a SHA). */
  patch?: string;
}

export interface FlagSpec {
  type: 'string' | 'boolean';
  /** The argument word in help and errors: FILE, DIR, BRANCH, TEXT. */
  arg?: string;
  short?: string;
}

/** Every flag: its type, its argument word (for help and errors), and the commands that accept it. */
export const FLAG_SPECS = {
  config: { type: 'string', arg: 'FILE', short: 'c' },
  repo: { type: 'string', arg: 'DIR' },
  json: { type: 'boolean' },
  write: { type: 'string', arg: 'FILE' },
  force: { type: 'boolean' },
  'docs-dir': { type: 'string', arg: 'DIR' },
  'prompt-file': { type: 'string', arg: 'FILE' },
  trunk: { type: 'string', arg: 'BRANCH' },
  ci: { type: 'string', arg: 'PROVIDER' },
  reason: { type: 'string', arg: 'TEXT' },
  'authorised-by': { type: 'string', arg: 'TEXT' },
  'no-validate': { type: 'boolean' },
  days: { type: 'string', arg: 'N' },
  out: { type: 'string', arg: 'FILE' },
  fleet: { type: 'string', arg: 'FILE' },
  accept: { type: 'string', arg: 'GATE' },
  full: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const satisfies Record<string, FlagSpec>;
export type FlagName = keyof typeof FLAG_SPECS;

const COMMON: readonly FlagName[] = ['config', 'repo', 'json', 'help'];

/** The flags each command accepts; any other flag is a usage error naming the command's help. */
export const COMMAND_FLAGS: Record<CommandName, readonly FlagName[]> = {
  daily: COMMON,
  verify: COMMON,
  apply: COMMON,
  align: COMMON,
  validate: COMMON,
  publish: COMMON,
  report: COMMON,
  status: [...COMMON, 'full'],
  doctor: COMMON,
  prompt: [...COMMON, 'write', 'force'],
  init: [...COMMON, 'docs-dir', 'prompt-file', 'trunk', 'force', 'ci'],
  lock: [...COMMON, 'reason'],
  unlock: COMMON,
  resolve: [...COMMON, 'authorised-by', 'no-validate', 'accept', 'reason'],
  history: [...COMMON, 'days'],
  dashboard: [...COMMON, 'days', 'out', 'fleet'],
};

const RESOLVE_STEPS = ['start', 'continue', 'fixup', 'edit', 'finish', 'abort', 'status'];
/** The resolve steps that name a patch: `resolve fixup <patch>`, `resolve edit <patch>`. */
const PATCH_STEPS = ['fixup', 'edit'];
/** Flags that may be given more than once; their values are collected. */
const REPEATABLE: readonly FlagName[] = ['accept'];

/** Flags accepted with no command (`rebase-daily --version`, `rebase-daily --help`). */
const TOP_LEVEL_FLAGS: readonly FlagName[] = ['help', 'version', 'json'];

const isCommand = (s: string | undefined): s is CommandName => s !== undefined && Object.hasOwn(COMMANDS, s);

const usage = (message: string) => errors.usage(message);

/**
 * Parse argv. Every problem is one line that names the fix (exit 2): an unknown flag (with the
 * closest flag the command accepts), a flag the command does not take, a flag without its value,
 * a value given to a switch, an unknown command, a stray argument.
 */
export function parseCliArgs(argv: string[]): ParsedArgs {
  const { tokens } = parseArgs({ args: argv, allowPositionals: true, strict: false, tokens: true, options: nodeOptions() });
  const positionals = tokens.filter((t) => t.kind === 'positional').map((t) => t.value);
  const options = tokens.filter((t) => t.kind === 'option');
  const [first, ...rest] = positionals;
  const command = isCommand(first) ? first : undefined;
  // `resolve <step>`: the step is part of the command, not a stray argument.
  const sub = command === 'resolve' ? rest.shift() : undefined;
  const accepted = command ? COMMAND_FLAGS[command] : TOP_LEVEL_FLAGS;
  const helpRef = command ? `\`rebase-daily ${command} --help\`` : '`rebase-daily --help`';
  // An unknown flag first: `--bogus value daily` would otherwise read as the command "value".
  for (const t of options) {
    if (Object.hasOwn(FLAG_SPECS, t.name)) continue;
    const guess = closest(t.name, command ? (accepted as string[]) : Object.keys(FLAG_SPECS));
    throw usage(`unknown flag ${t.rawName}; ${guess ? `did you mean --${guess}? ` : ''}see ${helpRef}`);
  }
  if (first !== undefined && !command && first !== 'help') {
    const guess = closest(first, Object.keys(COMMANDS));
    throw usage(`unknown command "${first}"; ${guess ? `did you mean \`rebase-daily ${guess}\`? ` : ''}commands: ${Object.keys(COMMANDS).join(', ')}`);
  }
  if (command === 'resolve' && !options.some((t) => t.name === 'help') && !RESOLVE_STEPS.includes(sub ?? '')) {
    const guess = sub ? closest(sub, RESOLVE_STEPS) : null;
    throw usage(`${sub ? `unknown step "${sub}"${guess ? `; did you mean \`rebase-daily resolve ${guess}\`?` : ''}` : 'missing step'}; use \`rebase-daily resolve ${RESOLVE_STEPS.join('|')}\``);
  }
  const patch = command === 'resolve' && PATCH_STEPS.includes(sub ?? '') ? rest.shift() : undefined;
  if (command === 'resolve' && PATCH_STEPS.includes(sub ?? '') && patch === undefined && !options.some((t) => t.name === 'help')) {
    throw usage(`\`rebase-daily resolve ${sub}\` needs the patch: \`rebase-daily resolve ${sub} <position|sha>\` (see \`rebase-daily resolve status\`)`);
  }
  let helpFor: CommandName | undefined;
  if (first === 'help') {
    if (rest[0] !== undefined && !isCommand(rest[0])) throw usage(`unknown command "${rest[0]}" after help; commands: ${Object.keys(COMMANDS).join(', ')}`);
    if (rest.length > 1) throw usage(`unexpected argument "${rest[1]}"; use \`rebase-daily help <command>\``);
    helpFor = rest[0] as CommandName | undefined;
  }
  const values: Partial<Record<FlagName, string | boolean>> = {};
  const configs: string[] = [];
  const repeated: string[] = [];
  for (const t of options) {
    const given = t.rawName;
    const name = t.name as FlagName;
    const spec: FlagSpec = FLAG_SPECS[name];
    if (!accepted.includes(name) && !(first === 'help' && name === 'help')) {
      const takers = (Object.keys(COMMAND_FLAGS) as CommandName[]).filter((c) => COMMAND_FLAGS[c].includes(name));
      throw usage(
        command
          ? `\`rebase-daily ${command}\` does not take --${name}${takers.length ? ` (${takers.map((c) => `\`rebase-daily ${c}\``).join(', ')} ${takers.length === 1 ? 'does' : 'do'})` : ''}; see ${helpRef}`
          : `--${name} needs a command, e.g. \`rebase-daily ${takers[0] ?? 'daily'} --${name}${spec.arg ? ` ${spec.arg}` : ''}\`; see ${helpRef}`,
      );
    }
    if (spec.type === 'boolean') {
      if (t.value !== undefined) throw usage(`${given} takes no value (got "${t.value}"); write ${given} alone; see ${helpRef}`);
      values[name] = true;
      continue;
    }
    // `--config --json`: node would take "--json" as the file name.
    if (t.value === undefined || t.value === '' || (t.inlineValue === false && /^--?[A-Za-z]/.test(t.value))) {
      throw usage(`${given} needs a value: ${given} ${spec.arg}; see ${helpRef}`);
    }
    // dashboard: one page for several forks, one --config each.
    if (name === 'config' && command === 'dashboard') {
      configs.push(t.value);
      values[name] ??= t.value;
      continue;
    }
    if (REPEATABLE.includes(name)) {
      repeated.push(t.value);
      continue;
    }
    if (values[name] !== undefined && values[name] !== t.value) throw usage(`${given} given twice ("${String(values[name])}" and "${t.value}"); keep one; see ${helpRef}`);
    values[name] = t.value;
  }
  if (first !== 'help' && rest.length) throw usage(`unexpected argument "${rest[0]}"; see ${helpRef}`);
  const str = (n: FlagName) => values[n] as string | undefined;
  const days = str('days');
  if (days !== undefined && !/^[1-9]\d{0,4}$/.test(days)) throw usage(`--days needs a whole number of days, 1 or more (got "${days}"); e.g. --days 30; see ${helpRef}`);
  if (command === 'dashboard' && values.fleet !== undefined && configs.length > 0) throw usage(`--fleet and --config name the forks twice; give one of them; see ${helpRef}`);
  return {
    command: helpFor ?? command ?? 'help',
    config: str('config'),
    repo: str('repo'),
    json: values.json === true,
    help: values.help === true || first === 'help' || first === undefined,
    bare: first === undefined && values.help !== true && values.version !== true,
    version: values.version === true,
    write: str('write'),
    force: values.force === true,
    docsDir: str('docs-dir'),
    promptFile: str('prompt-file'),
    trunk: str('trunk'),
    ci: str('ci'),
    reason: str('reason'),
    subcommand: sub,
    authorisedBy: str('authorised-by'),
    noValidate: values['no-validate'] === true,
    days: days === undefined ? undefined : Number(days),
    out: str('out'),
    fleet: str('fleet'),
    configs,
    full: values.full === true,
    accept: repeated.flatMap((v) => v.split(',').map((x) => x.trim()).filter(Boolean)),
    patch,
  };
}

/** node:util parseArgs options from FLAG_SPECS (non-strict: the checks above give the messages). */
function nodeOptions() {
  const out: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, spec] of Object.entries(FLAG_SPECS) as [string, FlagSpec][]) {
    out[name] = { type: spec.type, ...(spec.short ? { short: spec.short } : {}) };
  }
  return out;
}
