import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { layerViolations } from './testing/index.js';

/** The order the README's Layout section gives: no folder imports one listed after it. */
const CORE_LAYERS = ['errors', 'process', 'config', 'contracts', 'refs', 'lock', 'recovery', 'repo', 'run', 'nx'] as const;

describe('core folders are layers', () => {
  it('no folder imports a folder listed after it', () => {
    expect(layerViolations(import.meta.dirname, CORE_LAYERS)).toEqual([]);
  });

  it('every source file lives in a layer folder (index.ts and testing/ aside)', () => {
    const loose = readdirSync(import.meta.dirname).filter(
      (n) => n.endsWith('.ts') && !n.endsWith('.test.ts') && n !== 'index.ts' && statSync(join(import.meta.dirname, n)).isFile(),
    );
    expect(loose).toEqual([]);
    const folders = readdirSync(import.meta.dirname).filter((n) => statSync(join(import.meta.dirname, n)).isDirectory());
    expect(folders.filter((f) => f !== 'testing').sort()).toEqual([...CORE_LAYERS].sort());
  });
});
