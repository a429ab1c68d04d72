import { errors, type ResolvedConfig } from '@rebase-daily/core';
import { renderTemplate } from '../render/template.js';
import { promptValues, type RenderOptions } from '../render/values.js';
import template from './template.md';

/** The prompt template as shipped, with its `{{placeholders}}` and `{{#if name}}…{{/if}}` sections. */
export const PROMPT_TEMPLATE: string = template;

/** The prompt's conditional sections: what the config turns on. */
export function promptSections(config: ResolvedConfig): Record<string, boolean> {
  return { graphite: Boolean(config.graphite), validate: Boolean(config.validate) };
}

const SECTION = /\{\{#if ([A-Za-z]\w*)\}\}\n?((?:(?!\{\{#if )[\s\S])*?)\{\{\/if\}\}\n?/g;

/**
 * Keep a `{{#if name}}…{{/if}}` section (on lines of their own, nestable) when `flags[name]` is
 * true, drop it otherwise. An unknown name is an internal error, like a placeholder without a value.
 */
export function renderSections(text: string, flags: Record<string, boolean>): string {
  let out = text;
  for (let before = ''; before !== out; ) {
    before = out;
    out = out.replace(SECTION, (_m, name: string, body: string) => {
      if (!(name in flags)) throw errors.internal(`template section without a flag: ${name}`, { name });
      return flags[name] ? body : '';
    });
  }
  if (/\{\{[#/]/.test(out)) throw errors.internal('template has an unbalanced {{#if}} section');
  return out;
}

/** The operator agent's prompt for one config: only the sections the config turns on, every placeholder filled from the config. */
export function renderPrompt(config: ResolvedConfig, options: RenderOptions): string {
  return renderTemplate(renderSections(PROMPT_TEMPLATE, promptSections(config)), promptValues(config, options));
}
