/** One branch as `gt ls --classic` prints it. */
export interface GtLsEntry {
  branch: string;
  /** null for the trunk (the line at depth 0). */
  parent: string | null;
  depth: number;
  /** Graphite's own verdict: the branch does not sit on its parent's current tip. */
  needsRestack: boolean;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;
// "      ↱ $ a3 (needs restack)": two spaces of indent per level, then the arrow, a marker, the name.
const LINE = /^( *)↱ \S+ (\S+)(.*)$/;

/**
 * Parse `gt ls --classic` (gt 1.8). The classic form lists every tracked branch on one line,
 * children above their parent, indented two spaces per level; a line's parent is therefore the
 * nearest line *below* it that is one level shallower. Lines that are not branch lines (tips,
 * blank lines) are ignored. Pure: tested on real captured output.
 */
export function parseGtLsClassic(stdout: string): GtLsEntry[] {
  const rows: { branch: string; depth: number; rest: string }[] = [];
  for (const raw of stdout.replace(ANSI, '').split('\n')) {
    const m = LINE.exec(raw.replace(/\s+$/, ''));
    if (!m) continue;
    rows.push({ branch: m[2], depth: m[1].length / 2, rest: m[3] });
  }
  const entries: GtLsEntry[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    let parent: string | null = null;
    if (row.depth > 0) {
      const below = rows.slice(i + 1).find((r) => r.depth === row.depth - 1);
      parent = below ? below.branch : null;
    }
    entries.push({ branch: row.branch, parent, depth: row.depth, needsRestack: /\(needs restack\)/.test(row.rest) });
  }
  // Print order is leaves-first; hand back trunk-first (parents before children), stable otherwise.
  return entries.reverse();
}

/** `gt children` / `gt parent` print one branch name per line. */
export function parseGtBranchLines(stdout: string): string[] {
  return stdout
    .replace(ANSI, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !/\s/.test(l));
}
