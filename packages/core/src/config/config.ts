import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { describeJsonError, formatIssues as formatConfigIssues } from './config-issues.js';
import { errors } from '../errors/errors.js';

const branchName = z
  .string()
  .min(1)
  .refine((s) => !/[\s~^:?*[\\]|\.\.|^-|\/$|\.lock$|@\{/.test(s), { message: 'is not a valid git branch name' });
const remoteName = z.string().min(1).regex(/^[A-Za-z0-9._/-]+$/, 'is not a valid git remote name');
/** The lock files the replay engines know how to merge by structure (one merger each in @rebase-daily/git). */
export const MECHANICAL_LOCK_FILES: readonly string[] = ['Cargo.lock'];
const MECHANICAL_LOCK_FILES_TEXT = MECHANICAL_LOCK_FILES.join(', ');
const argv = z.array(z.string().min(1)).min(1, 'needs at least the program name');

export const VersionConfigSchema = z
  .object({
    /** Where the Cargo workspace manifest lives, relative to the repo. */
    manifest: z.string().default('Cargo.toml').describe('Cargo workspace manifest, relative to the repo'),
    /** Where the upstream version comes from: newest matching tag reachable from upstream, or the manifest at upstream. */
    source: z.enum(['tag', 'manifest']).default('manifest'),
    /** Regex with one capture group for the version, for source=tag. */
    tagPattern: z.string().default('^v?(\\d+\\.\\d+\\.\\d+)$'),
    /** Appended to the upstream version, e.g. "-fork.1" → 1.4.0-fork.1. */
    suffix: z.string().min(1),
    commitMessage: z.string().default('chore(fork): set fork version to {version}'),
    /**
     * Subject regexes of hand-made bump commits a fresh bump supersedes (dropped from the replay when
     * their diff changes only version fields of Cargo.toml / Cargo.lock). The tool's own bumps carry
     * a `Rebase-Daily-Bump` trailer and are superseded without this.
     */
    supersede: z
      .array(
        z.string().refine(
          (s) => {
            try {
              new RegExp(s);
              return true;
            } catch {
              return false;
            }
          },
          { message: 'is not a valid regular expression' },
        ),
      )
      .default([])
      .describe('subject regexes of hand-made version-bump commits that a fresh bump supersedes'),
  })
  .strict();

export const GraphiteConfigSchema = z
  .object({
    /** Path to gt; default: PATH, then the workspace's node_modules/.bin. */
    bin: z.string().optional(),
    syncTimeoutSeconds: z.number().int().positive().default(120),
    restackTimeoutSeconds: z.number().int().positive().default(300),
    commandTimeoutSeconds: z.number().int().positive().default(60),
    /** What to do when `gt sync --no-restack` fails (it needs Graphite's service). */
    onSyncFailure: z.enum(['stop', 'continue']).default('continue'),
  })
  .strict();

export const ValidateStepSchema = z
  .object({
    name: z.string().min(1),
    command: argv,
    timeoutSeconds: z.number().int().positive().optional(),
  })
  .strict();

export const ValidateConfigSchema = z
  .object({
    /** Directory inside the repo where the Cargo workspace lives (worked example: codex-rs). */
    cwd: z.string().default('.'),
    /** Formatting step; default `just fmt` when a justfile exists, else `cargo fmt --all`. `false` disables it. */
    format: z.union([argv, z.literal(false)]).optional(),
    /** Test step; default `cargo test --all-features`. */
    test: argv.default(['cargo', 'test', '--all-features']),
    extraSteps: z.array(ValidateStepSchema).default([]),
    timeoutSeconds: z.number().int().positive().default(3600),
    /** Persistent cargo target dir; default `<scratch>/cargo-target` unless CARGO_TARGET_DIR is set. */
    targetDir: z.string().optional(),
    /** Where validation runs: the primary worktree when the trunk is checked out there, else a dedicated worktree. */
    worktree: z.enum(['auto', 'dedicated']).default('auto'),
  })
  .strict();

export const ConfigSchema = z
  .object({
    $schema: z.string().optional(),
    repo: z.string().default('.').describe('Path to the fork clone, relative to this config file'),
    trunk: branchName.describe('The fork trunk: upstream plus the patch queue'),
    mirror: branchName.default('main').describe('Pure mirror of upstream on the fork'),
    upstreamBranch: branchName.default('main'),
    remotes: z
      .object({ fork: remoteName.default('origin'), upstream: remoteName.default('upstream') })
      .strict()
      .default({ fork: 'origin', upstream: 'upstream' }),
    scratchDir: z.string().default('.scratch').describe('Relative to the repo'),
    lock: z
      .object({
        staleAfterHours: z.number().positive().default(6),
        /** Also take refs/rebase-daily/lock/<trunk> on the fork remote: one run across hosts with separate clones. */
        remote: z.boolean().default(false).describe('Also hold a lock ref on the fork remote (runs from several hosts)'),
      })
      .strict()
      .default({ staleAfterHours: 6, remote: false }),
    /** Verify/apply engine: see @rebase-daily/git. */
    engine: z.enum(['auto', 'memory', 'worktree']).default('auto'),
    /** What apply does when verify finds a conflict: stop (default, nothing changes) or advance to the last clean upstream commit. */
    onConflict: z.enum(['stop', 'advance']).default('stop'),
    push: z
      .object({
        /** Push the trunk and mirror to the fork remote (false = local only). */
        enabled: z.boolean().default(true),
        timeoutSeconds: z.number().int().positive().default(300),
      })
      .strict()
      .default({ enabled: true, timeoutSeconds: 300 }),
    publish: z
      .object({
        /**
         * after-validate (default): the fork remote only ever sees a trunk that passed validation.
         * after-apply: trunk and mirror are pushed right after apply, validation runs after.
         */
        when: z.enum(['after-validate', 'after-apply']).default('after-validate'),
        /** One `git push --atomic` for every ref; false: one push per ref, in a fixed order. */
        atomic: z.boolean().default(true),
        /**
         * fork (default): the fork remote's trunk is the source; a local trunk commit the fork does not
         * have is refused before anything starts (E_TRUNK_AHEAD). local: the local trunk is the source,
         * its unpushed commits are part of the queue and get published.
         */
        trunkSource: z.enum(['fork', 'local']).default('fork'),
      })
      .strict()
      .default({ when: 'after-validate', atomic: true, trunkSource: 'fork' })
      .describe('When and how the trunk, the mirror and restacked descendants reach the fork remote'),
    version: VersionConfigSchema.optional(),
    graphite: GraphiteConfigSchema.optional(),
    validate: ValidateConfigSchema.optional(),
    /** The run history dashboard the report stage refreshes at the end of every run. */
    report: z
      .object({
        /** true: `<scratch>/rebase-daily/dashboard.html`; a path (relative to the repo): there; false: not refreshed (`rebase-daily dashboard` still writes it). */
        dashboard: z.union([z.boolean(), z.string().min(1)]).default(true),
      })
      .strict()
      .default({ dashboard: true })
      .describe('The report stage: whether (and where) it refreshes the history dashboard'),
    /** Who resolves a conflict day: a human (the run stops at exit 10/11) or the operator agent, through `rebase-daily resolve`. */
    conflicts: z
      .object({
        owner: z.enum(['human', 'agent']).default('human'),
        /** Lock files the tool merges by structure when a patch conflicts only in them; [] turns it off. */
        mechanical: z
          .array(z.string().refine((s) => MECHANICAL_LOCK_FILES.includes(s.split('/').pop() ?? ''), { message: `is not a lock file rebase-daily merges (known: ${MECHANICAL_LOCK_FILES_TEXT})` }))
          .default([...MECHANICAL_LOCK_FILES])
          .describe('lock files (file names, or repo paths) merged by structure when a patch conflicts only in them; [] turns it off'),
        /** Path globs whose conflicts take one side, and paths the fork removed for good. Default: the tool decides nothing by path. */
        policy: z
          .object({
            prefer: z.array(z.object({ paths: z.array(z.string().min(1)).min(1), prefer: z.enum(['fork', 'upstream']) }).strict()).default([]),
            removed: z.array(z.string().min(1)).default([]).describe('globs of paths the fork deleted for good: a conflict there is settled by deleting, a re-introduction by upstream is reported'),
          })
          .strict()
          .default({ prefer: [], removed: [] })
          .describe('which side a conflicted path takes (prefer: fork = the patch, upstream = the new base), and paths the fork removed for good'),
      })
      .strict()
      .default({ owner: 'human', mechanical: [...MECHANICAL_LOCK_FILES], policy: { prefer: [], removed: [] } }),
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'is not a valid project name (letters, digits, . _ -)')
      .optional()
      .describe("This fork's Nx project name (fleet runs); default: rebase when the workspace has one fork, else the config's folder name"),
  })
  .strict();

export type ConfigInput = z.input<typeof ConfigSchema>;
export type Config = z.output<typeof ConfigSchema>;

/** A config with every path made absolute. */
export interface ResolvedConfig extends Config {
  configPath: string;
  repoPath: string;
  scratchPath: string;
}

export interface LoadConfigOptions {
  /** --config */
  configPath?: string;
  /** --repo overrides the config's repo (resolved against cwd). */
  repo?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export type LoadConfigResult = { ok: true; config: ResolvedConfig } | { ok: false; errors: string[]; configPath: string; notFound?: boolean };

/** --config FILE, else REBASE_DAILY_CONFIG, else ./rebase-daily.json. */
export function findConfigPath(options: LoadConfigOptions): string {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const chosen = options.configPath || env.REBASE_DAILY_CONFIG || 'rebase-daily.json';
  return isAbsolute(chosen) ? chosen : resolve(cwd, chosen);
}

/** Format zod issues as "field: expected …, found …; fix" lines, all at once. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], schema: z.core.$ZodType = ConfigSchema): string[] {
  return formatConfigIssues(issues, schema);
}

/** Validate a parsed JSON value. Cross-field checks run after the schema. */
export function parseConfig(raw: unknown, configPath: string, repoOverride?: string, cwd = process.cwd()): LoadConfigResult {
  const parsed = ConfigSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) return { ok: false, errors: formatIssues(parsed.error.issues), configPath };
  const config = parsed.data;
  const problems: string[] = [];
  if (config.trunk === config.mirror) problems.push(`trunk: must differ from mirror ("${config.mirror}"); the mirror is a pure copy of upstream`);
  if (config.remotes.fork === config.remotes.upstream)
    problems.push(`remotes.upstream: must differ from remotes.fork ("${config.remotes.fork}"); rebase-daily never pushes to upstream`);
  if (config.version?.source === 'tag') {
    try {
      const re = new RegExp(config.version.tagPattern);
      if (!/\((?!\?)/.test(config.version.tagPattern)) problems.push('version.tagPattern: needs one capture group around the version');
      void re;
    } catch (err) {
      problems.push(`version.tagPattern: is not a valid regular expression (${(err as Error).message})`);
    }
  }
  if (problems.length) return { ok: false, errors: problems, configPath };
  const configDir = dirname(configPath);
  const repoPath = repoOverride ? resolve(cwd, repoOverride) : resolve(configDir, config.repo);
  const scratchPath = resolve(repoPath, config.scratchDir);
  return { ok: true, config: { ...config, configPath, repoPath, scratchPath } };
}

/** Find, read and validate the config. Never touches the repository. */
export function loadConfig(options: LoadConfigOptions = {}): LoadConfigResult {
  const configPath = findConfigPath(options);
  const stat = statSync(configPath, { throwIfNoEntry: false });
  if (!stat) return { ok: false, errors: [errors.configNotFound(configPath).message], configPath, notFound: true };
  if (stat.isDirectory()) {
    return { ok: false, errors: [`${configPath}: is a directory, not a config file; pass the file itself (e.g. --config ${configPath.replace(/\/$/, '')}/rebase-daily.json)`], configPath };
  }
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch (err) {
    return { ok: false, errors: [`${configPath}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); check its permissions`], configPath };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, errors: [`${configPath}: is not valid JSON: ${describeJsonError(text, err as Error)}`], configPath };
  }
  return parseConfig(raw, configPath, options.repo, options.cwd);
}

/** Load or throw E_CONFIG_* (exit 2). */
export function loadConfigOrThrow(options: LoadConfigOptions = {}): ResolvedConfig {
  const result = loadConfig(options);
  if (result.ok) return result.config;
  if (result.notFound) throw errors.configNotFound(result.configPath);
  throw errors.configInvalid(result.errors);
}

/** JSON Schema of the config file, generated from the zod schema (checked in as config.schema.json). */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ConfigSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
}
