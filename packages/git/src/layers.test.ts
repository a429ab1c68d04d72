import { describe, expect, it } from 'vitest';
import { layerViolations } from '@rebase-daily/core/testing';

/** The order the README's Layout section gives: no folder imports one listed after it. */
const GIT_LAYERS = ['refs', 'engine', 'version', 'policy', 'lockfile', 'context', 'gate', 'stages', 'resolve', 'executors'] as const;

describe('git folders are layers', () => {
  it('no folder imports a folder listed after it', () => {
    expect(layerViolations(import.meta.dirname, GIT_LAYERS)).toEqual([]);
  });
});
