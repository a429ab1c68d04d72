import { dirname } from 'node:path';
import { resolveTool } from '@rebase-daily/cargo-validate';

/** Where a scheduler's minimal PATH ends: the system folders cron and systemd already search. */
export const SYSTEM_PATH = ['/usr/local/bin', '/usr/bin', '/bin'] as const;

/**
 * The PATH a scheduled run gets: the folders of the programs a day runs (node, git, gt, cargo,
 * just — each where this shell finds it on PATH), then the system folders. Not the whole
 * interactive PATH: a virtualenv, a project's node_modules/.bin or a temporary folder on it would
 * otherwise be frozen into the crontab. A tool found only in node_modules/.bin is left out: the
 * run finds it there itself.
 */
export function schedulerPath(path: string | undefined, node = process.execPath, tools: readonly string[] = ['git', 'gt', 'cargo', 'just']): string {
  const dirs: string[] = [dirname(node)];
  for (const tool of tools) {
    const found = path ? resolveTool(tool, { path, searchDirs: [] }) : null;
    if (found) dirs.push(dirname(found));
  }
  return [...new Set([...dirs, ...SYSTEM_PATH])].join(':');
}
