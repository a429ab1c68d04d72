import { describe, expect, it } from 'vitest';
import { placeholdersOf, renderTemplate } from './template.js';

describe('renderTemplate', () => {
  it.each([
    ['one {{a}} two', { a: 'x' }, 'one x two'],
    ['{{ a }}{{a}}', { a: 'y' }, 'yy'],
    ['no placeholders', {}, 'no placeholders'],
    ['value with braces {{a}}', { a: '${HOME}' }, 'value with braces ${HOME}'],
  ])('%j', (template, values, expected) => {
    expect(renderTemplate(template, values)).toBe(expected);
  });

  it('refuses a placeholder without a value, naming it', () => {
    expect(() => renderTemplate('{{a}} {{missing}}', { a: '1' })).toThrow(/missing/);
  });

  it('refuses text that still looks like a placeholder after rendering', () => {
    expect(() => renderTemplate('{{a}}', { a: '{{b}}' })).toThrow(/still contains \{\{b\}\}/);
  });

  it('lists placeholders once, in order', () => {
    expect(placeholdersOf('{{b}} {{a}} {{b}}')).toEqual(['b', 'a']);
  });
});
