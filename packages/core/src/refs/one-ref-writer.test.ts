import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const packages = join(import.meta.dirname, '..', '..', '..');
const PRIMITIVE = join('core', 'src', 'refs', 'move-branch.ts');

/** Every non-test TypeScript source file under packages/<name>/src (and tools/), fixtures aside. */
function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist' || name === '__fixtures__' || name === 'testing') continue;
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (/\.(ts|mts|mjs)$/.test(name) && !/\.test\.|\.d\.ts$/.test(name)) out.push(path);
  }
  return out;
}

/**
 * A branch (any ref) moves only through core's `moveBranch`: compare-and-swap, and the worktree that
 * has it checked out follows. A raw `update-ref`, `merge --ff-only` or `branch -f` elsewhere would be a
 * second writer without one of the two.
 */
describe('one ref writer', () => {
  it('`update-ref` (and the other ways to move a branch) appear as git arguments only in refs/move-branch.ts', () => {
    const roots = readdirSync(packages).map((p) => join(packages, p, 'src')).filter((d) => statSync(d, { throwIfNoEntry: false })?.isDirectory());
    const found: string[] = [];
    for (const file of roots.flatMap(sources)) {
      const rel = relative(packages, file);
      if (rel === PRIMITIVE) continue;
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/['"`]update-ref['"`]|['"`]--ff-only['"`]|'branch',\s*'-f'/.test(line)) found.push(`${rel}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(found).toEqual([]);
  });
});
