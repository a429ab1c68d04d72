import { STAGES } from '@rebase-daily/core';
import type { ForkPluginOptions } from './plugin-options.js';
import { FORK_TAG } from './plugin-options.js';

/** The packages whose dist/ the executors load: built (cached) before a run in the rebase-daily workspace. */
export const PIPELINE_PACKAGES = ['@rebase-daily/core', '@rebase-daily/report', '@rebase-daily/git', '@rebase-daily/graphite', '@rebase-daily/cargo-validate', '@rebase-daily/cli'] as const;

const EXECUTOR: Record<(typeof STAGES)[number], string> = {
  verify: '@rebase-daily/git:verify',
  apply: '@rebase-daily/git:apply',
  align: '@rebase-daily/graphite:align',
  validate: '@rebase-daily/cargo-validate:validate',
  publish: '@rebase-daily/git:publish',
  report: '@rebase-daily/report:report',
};

export interface ForkProjectInput {
  /** Workspace-relative path of the config file. */
  configFile: string;
  /** The project name (see forkProjectName). */
  name: string;
  options: ForkPluginOptions;
  /** Command that prints the validate cache key (tree-hash.mjs), quoted for a shell. */
  treeHashCommand: string;
  /** True inside the rebase-daily workspace itself: the first stage depends on `build` of every package. */
  buildFirst: boolean;
}

/** Target configuration Nx merges into a project (the slice of ProjectConfiguration we produce). */
export interface InferredTarget {
  executor: string;
  dependsOn?: (string | { projects: string[]; target: string })[];
  cache: boolean;
  inputs?: unknown[];
  outputs?: string[];
  options?: Record<string, unknown>;
}

/**
 * The daily graph of one fork: verify → apply → align → validate → publish → report → daily, in
 * core's stage order, each target depending on the one before, every stage given the config path.
 */
export function forkTargets(input: ForkProjectInput): Record<string, InferredTarget> {
  const t = (stage: string) => `${input.options.targetPrefix}${stage}`;
  const targets: Record<string, InferredTarget> = {};
  let previous: string | null = null;
  for (const stage of STAGES) {
    const target: InferredTarget = { executor: EXECUTOR[stage], cache: false, options: { config: input.configFile } };
    const dependsOn: InferredTarget['dependsOn'] = [];
    if (previous) dependsOn.push(previous);
    else if (input.buildFirst) dependsOn.push({ projects: [...PIPELINE_PACKAGES], target: 'build' });
    if (dependsOn.length) target.dependsOn = dependsOn;
    if (stage === 'validate') {
      // Cached on the rebased tree (plus config and toolchain, plus the count of failed validations
      // of that key, so a failure is never replayed), never on the workspace's own files.
      target.cache = true;
      target.inputs = [{ runtime: `${input.treeHashCommand} --nx --default-config ${JSON.stringify(input.configFile)}` }, { env: 'REBASE_DAILY_CONFIG' }, { dependentTasksOutputFiles: '**/*', transitive: true }];
      target.outputs = [`{workspaceRoot}/.nx/rebase-daily/${input.name}/validate.json`];
    }
    targets[t(stage)] = target;
    previous = t(stage);
  }
  targets[t('daily')] = { executor: 'nx:noop', dependsOn: [t('report')], cache: false };
  return targets;
}

/** Project name: the config's `name`, else `rebase` when the workspace has one fork, else the config's folder name. */
export function forkProjectName(configFile: string, configName: string | undefined, forkCount: number): string {
  if (configName) return configName;
  if (forkCount === 1) return 'rebase';
  const parts = configFile.split('/');
  return parts.length > 1 ? parts[parts.length - 2] : 'rebase';
}

export { FORK_TAG };
