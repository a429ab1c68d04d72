import type { ResolvedConfig } from '@rebase-daily/core';
import { docTokens, type RenderOptions } from '../render/values.js';
import runbook from '../../../../docs/runbook.md';
import gotchas from '../../../../docs/gotchas.md';
import forkPolicy from '../../../../docs/fork-policy-decisions.md';
import updating from '../../../../docs/UPDATING.md';
import graphitePractices from '../../../../docs/graphite-practices.md';

/** The workspace's docs/ as shipped inside the CLI (bundled as text). */
export const DOCS: Readonly<Record<string, string>> = {
  'runbook.md': runbook,
  'gotchas.md': gotchas,
  'fork-policy-decisions.md': forkPolicy,
  'UPDATING.md': updating,
  'graphite-practices.md': graphitePractices,
};

/**
 * The docs with this fork's values: every `<trunk>`-style token of `docTokens` replaced, and a
 * header naming the config they were rendered from and how rebase-daily is invoked here.
 */
export function renderDocs(config: ResolvedConfig, options: RenderOptions): Record<string, string> {
  const tokens = docTokens(config);
  const out: Record<string, string> = {};
  for (const [name, text] of Object.entries(DOCS)) {
    let body = text;
    for (const [token, value] of Object.entries(tokens)) body = body.split(token).join(value);
    const header = `<!-- Rendered by \`rebase-daily init\` from ${config.configPath}. Here \`rebase-daily\` is \`${options.cli}\`. Re-render with \`rebase-daily init --force\`. -->\n\n`;
    out[name] = header + body;
  }
  return out;
}
