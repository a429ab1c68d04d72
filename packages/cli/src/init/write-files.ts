import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { errors, type RebaseDailyError } from '@rebase-daily/core';

export type FileAction = 'created' | 'unchanged' | 'overwritten' | 'kept';

export interface PlannedFile {
  path: string;
  content: string;
  /** An existing file is kept as is (the config a user already edited). */
  keepExisting?: boolean;
}

export interface WrittenFile {
  path: string;
  action: FileAction;
}

/** What would happen to each file; files that exist with other content are conflicts unless `force`. */
export function planWrites(files: PlannedFile[], force: boolean): { actions: WrittenFile[]; conflicts: string[] } {
  const actions: WrittenFile[] = [];
  const conflicts: string[] = [];
  for (const f of files) {
    if (!existsSync(f.path)) actions.push({ path: f.path, action: 'created' });
    else if (f.keepExisting) actions.push({ path: f.path, action: 'kept' });
    else if (readFileSync(f.path, 'utf8') === f.content) actions.push({ path: f.path, action: 'unchanged' });
    else if (force) actions.push({ path: f.path, action: 'overwritten' });
    else conflicts.push(f.path);
  }
  return { actions, conflicts };
}

/** E_FILE_EXISTS (exit 2): nothing was written. */
export function fileExistsError(paths: string[]): RebaseDailyError {
  return errors.fileExists(paths);
}

/** Write every planned file, all or nothing: conflicts are checked before the first write. */
export function writePlanned(files: PlannedFile[], force: boolean): WrittenFile[] {
  const { actions, conflicts } = planWrites(files, force);
  if (conflicts.length) throw fileExistsError(conflicts);
  files.forEach((f, i) => {
    const a = actions[i].action;
    if (a === 'created' || a === 'overwritten') {
      mkdirSync(dirname(f.path), { recursive: true });
      writeFileSync(f.path, f.content);
    }
  });
  return actions;
}
