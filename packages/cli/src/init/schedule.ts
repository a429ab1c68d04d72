import { join } from 'node:path';
import { shellQuote, type ResolvedConfig } from '@rebase-daily/core';

export interface Schedule {
  /** The command a scheduler runs (mechanical fallback; the plan's primary scheduler starts the agent with the prompt). */
  command: string;
  cron: string;
  systemdService: string;
  systemdTimer: string;
  unitName: string;
}

/**
 * Scheduler entries for the daily run: the installed `rebase-daily` when this CLI runs as one
 * (`npm install -g ./packages/cli`), else the workspace's Nx entrypoint when this CLI lives in a
 * rebase-daily workspace (exact exit codes through Nx), else the CLI itself.
 */
export function scheduleFor(config: ResolvedConfig, options: { workspace: string | null; cli: string; installed?: string | null; node?: string; path?: string }): Schedule {
  const node = options.node ?? process.execPath;
  const cfg = shellQuote(config.configPath);
  const viaWorkspace = !options.installed && options.workspace;
  const cwd = viaWorkspace ? options.workspace! : config.repoPath;
  const command = options.installed
    ? `${shellQuote(options.installed)} daily --config ${cfg}`
    : viaWorkspace
      ? `${shellQuote(node)} ${shellQuote(join(options.workspace!, 'tools', 'rebase', 'daily.mjs'))} --config ${cfg}`
      : `${options.cli} daily --config ${cfg}`;
  const unitName = `rebase-daily-${config.trunk.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;
  // The log lives outside the repo: a file in the tree would make the next preflight refuse a dirty tree.
  // cron and systemd start with a minimal PATH: options.path is the folders of node, git, gt, cargo
  // and just (schedulerPath), not the interactive PATH init ran with.
  const pathEnv = options.path ? `PATH=${shellQuote(options.path)} ` : '';
  const cron = `17 5 * * *  cd ${shellQuote(cwd)} && ${pathEnv}${command} >> "$HOME/${unitName}.log" 2>&1`;
  const systemdService = [
    '[Unit]',
    `Description=rebase-daily: rebase ${config.trunk} onto ${config.remotes.upstream}/${config.upstreamBranch}`,
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=oneshot',
    `WorkingDirectory=${cwd}`,
    `Environment=REBASE_DAILY_CONFIG=${config.configPath}`,
    ...(options.path ? [`Environment=PATH=${options.path}`] : []),
    // systemd does not use a shell: the command is split on spaces, so quoting matters only for spaces.
    `ExecStart=${command}`,
    '# Exit codes 10-16 are outcomes that need a human (see the runbook), not crashes: keep them visible.',
    'TimeoutStartSec=3h',
    '',
  ].join('\n');
  const systemdTimer = ['[Unit]', `Description=Daily ${unitName}`, '', '[Timer]', 'OnCalendar=*-*-* 05:17:00', 'RandomizedDelaySec=300', 'Persistent=true', '', '[Install]', 'WantedBy=timers.target', ''].join('\n');
  return { command, cron, systemdService, systemdTimer, unitName };
}
