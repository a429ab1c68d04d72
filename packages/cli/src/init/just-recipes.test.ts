import { describe, expect, it } from 'vitest';
import { justRecipes } from './just-recipes.js';

describe('justRecipes', () => {
  it.each([
    ['fmt and test', 'fmt:\n    cargo fmt --all\n\ntest:\n    cargo test\n', ['fmt', 'test']],
    ['parameters and dependencies', 'test *args: build\n    cargo test {{args}}\nbuild:\n    cargo build\n', ['test', 'build']],
    ['quiet recipe', '@fmt:\n    cargo fmt\n', ['fmt']],
    ['assignments and settings are not recipes', 'set shell := ["bash", "-c"]\nversion := "1"\nexport RUST_LOG := "info"\nfmt:\n  cargo fmt\n', ['fmt']],
    ['attributes and comments are not recipes', '# test: not this\n[private]\nhelper:\n  true\n', ['helper']],
    ['alias lines are not recipes', 'alias t := test\ntest:\n  cargo test\n', ['test']],
    ['indented body lines with colons', 'test:\n    echo "a: b"\n', ['test']],
    ['empty file', '', []],
  ])('%s', (_name, text, expected) => {
    expect(justRecipes(text)).toEqual(expected);
  });
});
