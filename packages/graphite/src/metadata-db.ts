import { existsSync, readFileSync } from 'node:fs';
import initSqlJs from 'sql.js';

/** One row of gt 1.8's `branch_metadata` table. */
export interface BranchMetadataRow {
  branch: string;
  parent: string | null;
  /** The parent's tip the branch was last based on (what the next restack rebases from). */
  parentRevision: string | null;
  /** 'TRUNK', 'VALID', 'BAD_PARENT_REVISION', … (gt's own validation cache). */
  validation: string | null;
}

/**
 * Read `.git/.graphite_metadata.db` (gt 1.8) without gt: an in-memory copy opened with sql.js
 * (SQLite compiled to WebAssembly, so no native build), never written back. Returns null when the
 * file or the table is not there, or the schema is not the one we know: callers then fall back to
 * `gt ls`.
 */
export async function readBranchMetadata(dbPath: string): Promise<BranchMetadataRow[] | null> {
  if (!existsSync(dbPath)) return null;
  try {
    const SQL = await initSqlJs();
    const db = new SQL.Database(readFileSync(dbPath));
    try {
      const res = db.exec('SELECT branch_name, parent_branch_name, parent_branch_revision, validation_result FROM branch_metadata');
      const rows = res[0]?.values ?? [];
      return rows.map(([branch, parent, parentRevision, validation]) => ({
        branch: String(branch),
        parent: parent == null ? null : String(parent),
        parentRevision: parentRevision == null ? null : String(parentRevision),
        validation: validation == null ? null : String(validation),
      }));
    } finally {
      db.close();
    }
  } catch {
    return null;
  }
}
