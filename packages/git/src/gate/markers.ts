import type { Runner } from '@rebase-daily/core';

/** git's marker shapes: `<<<<<<< ours`, `||||||| base` (diff3), `>>>>>>> theirs` — a bare `=======` is also a Markdown underline. */
export const MARKER_PATTERN = '^(<{7}|>{7}|[|]{7})( |$)';

/** Parse `git grep -c` output on a revision (`<rev>:<path>:<count>`) into path → count. Pure. */
export function parseGrepCounts(stdout: string, rev: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of stdout.split('\n')) {
    if (!line.startsWith(`${rev}:`)) continue;
    const rest = line.slice(rev.length + 1);
    const colon = rest.lastIndexOf(':');
    const n = Number.parseInt(rest.slice(colon + 1), 10);
    if (colon > 0 && Number.isFinite(n)) out.set(rest.slice(0, colon), n);
  }
  return out;
}

async function markerCounts(run: Runner, repo: string, rev: string, paths: readonly string[]): Promise<Map<string, number>> {
  if (!paths.length) return new Map();
  // -I: binary files hold no text markers; exit 1 is "no match", not a failure.
  const r = await run('git', ['grep', '-I', '-c', '-E', MARKER_PATTERN, rev, '--', ...paths], { cwd: repo });
  return r.exitCode === 0 ? parseGrepCounts(r.stdout, rev) : new Map();
}

/**
 * The gate's second invariant: no conflict marker line in a file the new queue changes (`upstream..newTip`)
 * that neither the old trunk nor upstream already had in that file. Returns the files checked and
 * those that gained markers (`path (N marker lines)`).
 */
export async function introducedMarkers(run: Runner, repo: string, input: { oldTip: string; upstream: string; newTip: string }): Promise<{ checked: string[]; found: string[] }> {
  const d = await run('git', ['diff', '--name-only', '--no-renames', '-z', input.upstream, input.newTip, '--'], { cwd: repo });
  if (d.exitCode !== 0) throw new Error(`git diff ${input.upstream.slice(0, 12)} ${input.newTip.slice(0, 12)} failed: ${d.stderr.trim()}`);
  const checked = d.stdout.split('\0').filter(Boolean);
  const inNew = await markerCounts(run, repo, input.newTip, checked);
  const withMarkers = [...inNew.keys()];
  const [inOld, inUpstream] = await Promise.all([markerCounts(run, repo, input.oldTip, withMarkers), markerCounts(run, repo, input.upstream, withMarkers)]);
  const found = withMarkers.filter((p) => inNew.get(p)! > Math.max(inOld.get(p) ?? 0, inUpstream.get(p) ?? 0)).map((p) => `${p} (${inNew.get(p)} marker line(s))`);
  return { checked, found };
}
