import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Imports that break a package's layering: a file in folder `order[i]` importing from a folder listed
 * after it (`order[j]`, j > i). Test files are skipped (a test may reach any layer). Returns
 * `file → folder` lines, empty when the layers hold.
 */
export function layerViolations(srcDir: string, order: readonly string[]): string[] {
  const found: string[] = [];
  order.forEach((folder, i) => {
    const dir = join(srcDir, folder);
    for (const name of readdirSync(dir)) {
      if (!name.endsWith('.ts') || name.endsWith('.test.ts') || !statSync(join(dir, name)).isFile()) continue;
      const text = readFileSync(join(dir, name), 'utf8');
      for (const m of text.matchAll(/from '\.\.\/([a-z-]+)\//g)) {
        const j = order.indexOf(m[1]!);
        if (j > i) found.push(`${folder}/${name} → ${m[1]}`);
      }
    }
  });
  return found;
}
