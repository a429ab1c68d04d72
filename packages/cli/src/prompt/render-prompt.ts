import type { ResolvedConfig } from '@rebase-daily/core';
import { renderTemplate } from '../render/template.js';
import { promptValues, type RenderOptions } from '../render/values.js';
import template from './template.md';

/** The prompt template as shipped, with its `{{placeholders}}`. */
export const PROMPT_TEMPLATE: string = template;

/** The operator agent's prompt for one config: every placeholder filled from the config. */
export function renderPrompt(config: ResolvedConfig, options: RenderOptions): string {
  return renderTemplate(PROMPT_TEMPLATE, promptValues(config, options));
}
