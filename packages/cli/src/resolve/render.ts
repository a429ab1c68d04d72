import type { ResolveView } from '@rebase-daily/core';
import { shortSha } from '@rebase-daily/core';


/** The human rendering of a resolve view: where it stands, the conflict in full (bounded), the next commands. */
export function renderResolveView(v: ResolveView): string {
  const lines: string[] = [
    `resolution ${v.id}: ${v.phase}${v.authorisedBy ? ` (authorised by ${v.authorisedBy})` : ''}`,
    `pinned: upstream ${shortSha(v.pin?.upstream)}, trunk ${shortSha(v.pin?.trunk)}, fork trunk ${shortSha(v.pin?.forkTrunk)} (${v.pin?.source ?? 'not pinned'})`,
    `now:    trunk ${shortSha(v.refsNow.trunk)}, mirror ${shortSha(v.refsNow.mirror)}`,
    `patch ${v.position ?? '?'} of ${v.queueLength}${v.rebaseInProgress ? ' (stopped on a conflict)' : ''}; files still in conflict: ${v.filesInConflict.join(', ') || 'none'}`,
    `worktree: ${v.worktree ?? '(none)'}${v.worktree && !v.worktreeExists ? ' (missing)' : ''}; branch ${v.branch ?? '(none)'}`,
    `rerere: ${v.rerere.note}`,
  ];
  for (const m of v.reappliedFromMemory) lines.push(`re-applied from memory: patch ${m.position} ${shortSha(m.patch)}: ${m.files.join(', ')}`);
  const c = v.conflict;
  if (c) {
    lines.push('', `## Conflict: patch ${v.position}/${v.queueLength} ${shortSha(c.patch.sha)} "${c.patch.subject}" (${c.patch.author})`, '', ...c.patch.message.split('\n').map((l) => `    ${l}`), '');
    for (const f of c.files) {
      lines.push(`### ${f.path} — ${f.kind}${f.fromMemory ? ' (re-applied from memory)' : ''}`);
      for (const h of f.hunks) {
        lines.push(`line ${h.line}:`, '  upstream:', ...h.upstream.map((l) => `    ${l}`));
        if (h.base) lines.push('  base:', ...h.base.map((l) => `    ${l}`));
        lines.push('  patch:', ...h.patch.map((l) => `    ${l}`));
        if (h.truncated) lines.push(`  (${h.truncated} more line(s) not shown)`);
      }
      if (f.moreHunks) lines.push(`(${f.moreHunks} more hunk(s) in the file)`);
      for (const [stage, text] of Object.entries(f.stageExcerpts ?? {})) lines.push(`  ${stage}:`, ...text.map((l) => `    ${l}`));
      lines.push('');
    }
    if (c.upstreamCommits.length) {
      lines.push('## Upstream commits since the old base that touched these files', '');
      for (const u of c.upstreamCommits) lines.push(`- ${shortSha(u.sha)} ${u.date} ${u.author}: ${u.subject} (${u.files.map((f) => `${f.path} +${f.added ?? '?'} -${f.deleted ?? '?'}`).join(', ')})`);
      if (c.moreUpstreamCommits) lines.push(`- … ${c.moreUpstreamCommits} more`);
      lines.push('');
    }
  }
  if (v.warnings.length) lines.push('warnings:', ...v.warnings.map((w) => `  - ${w}`));
  lines.push('', 'next:', ...v.next.map((n) => `  ${n}`));
  return `${lines.join('\n')}\n`;
}
