import { isAbsolute, resolve } from 'node:path';
import { cleanLeftovers, CommandLog, errors, EXIT, exitCodeFor, loadResolveState, RESOLVE_GATES, resolvePaths, resolveErrors, standaloneStageContext, type Lease, type Outcome, type ResolveReport, type StageResult } from '@rebase-daily/core';
import { validateStage } from '@rebase-daily/cargo-validate';
import { acceptGates, completeResolution, prepareFinish, proofPatches, publishResolution, resolutionGates, type Resolution, type ResolveEnv } from '@rebase-daily/git';
import type { ParsedArgs } from '../args.js';
import { envelope } from '../envelope.js';
import type { CliIO } from '../io.js';
import { emit as emitResolve } from '../emit.js';
import { writeResolveReport } from './report.js';
import { recordResolveEvent } from '../history/record-resolve.js';

/**
 * `resolve finish`: range-diff and version bump (packages/git), validation in the resolution
 * worktree (packages/cargo-validate's validate stage, unchanged), then compare-and-swap of the local
 * refs and one leased publish (packages/git). Validation failing: exit 14, nothing published. The
 * fork remote moved: exit 12, nothing published. Every outcome writes the resolve report.
 */
export async function finishCommand(io: CliIO, args: ParsedArgs, env: ResolveEnv): Promise<number> {
  const { config } = env;
  // Nothing started is the first thing to say, before any flag or config problem of finishing it.
  if (!loadResolveState(config.scratchPath)) throw resolveErrors.none(env.configFlag, 'finish');
  if (args.noValidate && !args.reason?.trim()) throw resolveErrors.reasonRequired();
  if (!args.noValidate && !config.validate) throw resolveErrors.noValidation();
  for (const g of args.accept) if (!(RESOLVE_GATES as readonly string[]).includes(g)) throw resolveErrors.unknownGate(g, RESOLVE_GATES);
  if (args.accept.length && !args.reason?.trim()) throw resolveErrors.acceptNeedsReason();
  const r = await prepareFinish(env);
  const fin = r.state.finish!;
  const name = 'resolve finish';
  if (r.state.phase === 'finishing') {
    // Escalation gates hold before anything is validated or moved, unless a human accepted each by name.
    acceptGates(r.state, args.accept, args.reason, env.user);
    r.save();
    const held = resolutionGates(r.state).filter((g) => !g.accepted);
    if (held.length) {
      const err = resolveErrors.gate(held);
      const report = reportOf(env, r, 'gate-held', { actions: ['nothing published: an escalation gate holds'], errors: [err.toJSON()] });
      const written = writeResolveReport(config, report);
      if (!args.json) io.stderr(`rebase-daily: ${err.code}: ${err.message}\n`);
      return emitResolve(io, args, envelope(name, EXIT.gate, 'gate-held', { report, ...written }, [err.toJSON()]), '');
    }
    if (args.noValidate) {
      fin.validation = { status: 'skipped', summary: 'validation not run (--no-validate)', skippedReason: args.reason!.trim() };
      fin.evidence = { kind: 'waived', tree: null, runId: r.state.id, at: new Date().toISOString(), reason: args.reason!.trim() };
    } else {
      env.progress.info(`resolve: validating ${r.state.branch} in ${r.state.worktree}`);
      const result = await validateResolution(env, r);
      fin.validation = { status: result.status, summary: result.summary, skippedReason: null };
      const v = result.status === 'ok' ? (result.data as { tree?: string; cached?: boolean; cachedFrom?: string } | undefined) : undefined;
      fin.evidence = v?.tree ? { kind: v.cached ? 'cached' : 'validated', tree: v.tree, runId: v.cached ? (v.cachedFrom ?? null) : r.state.id, at: new Date().toISOString(), reason: null } : null;
      if (result.status === 'failed') {
        r.save();
        const outcome: Outcome = result.outcome === 'validation-failed' ? 'validation-failed' : 'error';
        const report = reportOf(env, r, outcome, { actions: ['nothing published: validation failed after the resolution (escalation gate)'], errors: (result.errors ?? []).map(({ code, message }) => ({ code, message })) });
        const written = writeResolveReport(config, report);
        await recordResolveEvent(config, { event: 'finish', state: r.state, report }, env.progress.warn);
        if (!args.json) io.stderr(`rebase-daily: ${result.summary}\n`);
        return emitResolve(io, args, envelope(name, report.exitCode, outcome, { report, ...written }, [{ code: outcome === 'error' ? 'E_VALIDATE' : 'E_VALIDATION_FAILED', message: result.summary }]), '');
      }
    }
    r.save();
  }
  const pub = await publishResolution(env, r);
  if (pub.kind === 'refused') {
    const err = pub.error;
    const report = reportOf(env, r, 'error', { actions: [...pub.actions, `nothing published: the publish gate refused (${err.code})`], errors: [err.toJSON()] });
    report.exitCode = err.exitCode;
    const written = writeResolveReport(config, report);
    if (!args.json) io.stderr(`rebase-daily: ${err.code}: ${err.message}\n`);
    return emitResolve(io, args, envelope(name, err.exitCode, 'error', { report, ...written }, [err.toJSON()]), '');
  }
  if (pub.kind === 'blocked') {
    const err = pub.publish?.atomicUnsupported ? errors.atomicUnsupported(config.remotes.fork) : errors.leaseBlocked(pub.lease.ref, pub.lease.expected ?? '(absent)', pub.lease.actual ?? '(absent)', pub.lease.reason);
    const report = reportOf(env, r, 'push-blocked', { actions: [...pub.actions, 'nothing published'], lease: pub.lease, publish: pub.publish, errors: [err.toJSON()] });
    const written = writeResolveReport(config, report);
    await recordResolveEvent(config, { event: 'finish', state: r.state, report }, env.progress.warn);
    if (!args.json) io.stderr(`rebase-daily: ${err.code}: ${err.message}\n`);
    return emitResolve(io, args, envelope(name, EXIT.pushBlocked, 'push-blocked', { report, ...written }, [err.toJSON()]), '');
  }
  const report = reportOf(env, r, 'resolved', { actions: pub.actions, publish: pub.publish });
  const written = writeResolveReport(config, report);
  const done = await completeResolution(env, r);
  report.actions.push(...done.actions);
  writeResolveReport(config, report);
  await recordResolveEvent(config, { event: 'finish', state: r.state, report }, env.progress.warn);
  const human = `resolved: ${config.trunk} ${r.state.pin!.trunk.slice(0, 12)} → ${fin.newTrunk!.slice(0, 12)} on upstream ${r.state.pin!.upstream.slice(0, 12)}\n${report.actions.map((a) => `- ${a}`).join('\n')}\nreport: ${written.reportPath}`;
  return emitResolve(io, args, envelope(name, EXIT.ok, 'resolved', { report, ...written, archive: done.archive }), human);
}

/**
 * The validate stage, pointed at the resolution worktree (its branch is the "trunk" there, checked
 * out and clean), with real records: a dedicated validation worktree is on record before it is
 * created and removed after; one a killed finish left is removed first, as the next daily run would.
 */
async function validateResolution(env: ResolveEnv, r: Resolution): Promise<StageResult> {
  for (const line of await cleanLeftovers(env.run, env.config, r.state.lockRunId)) env.progress.info(`resolve: ${line}`);
  const v = env.config.validate;
  // A relative validate.targetDir means relative to the fork clone, not to the resolution worktree.
  const validate = v?.targetDir && !isAbsolute(v.targetDir) ? { ...v, targetDir: resolve(env.config.repoPath, v.targetDir) } : v;
  const config = { ...env.config, validate, repoPath: r.state.worktree!, trunk: r.state.branch! };
  const stage = standaloneStageContext({
    config,
    run: env.run,
    command: 'resolve finish',
    stages: ['validate'],
    commandLog: env.log ?? new CommandLog(),
    progress: env.progress,
    runDir: resolvePaths(env.config.scratchPath, r.state.id).archive,
  });
  try {
    return await validateStage(stage.ctx);
  } finally {
    const closed = await stage.close();
    for (const p of closed.problems) env.progress.warn(`resolve: ${p}`);
  }
}

function reportOf(
  env: ResolveEnv,
  r: Resolution,
  outcome: ResolveReport['outcome'],
  extra: { actions: string[]; lease?: Lease; publish?: { atomic: boolean; refs: object[] } | null; errors?: { code: string; message: string }[] },
): ResolveReport {
  const s = r.state;
  const fin = s.finish;
  return {
    schemaVersion: 1,
    kind: 'resolve',
    id: s.id,
    outcome,
    exitCode: outcome === 'resolved' ? EXIT.ok : exitCodeFor(outcome as Outcome),
    authorisedBy: s.authorisedBy,
    user: s.user,
    startedAt: s.startedAt,
    finishedAt: new Date().toISOString(),
    trunk: s.trunk,
    mirror: s.mirror,
    pin: s.pin,
    newTrunk: fin?.newTrunk ?? null,
    queueLength: s.queue.length,
    stops: s.stops,
    // What was published is what the publish gate proved, never the resolution's own record.
    patches: fin?.proof ? proofPatches(fin.proof) : (fin?.rangeDiff ?? []),
    proof: fin?.proof ?? null,
    rangeDiffPath: fin?.rangeDiffPath ?? null,
    droppedEmpty: fin?.proof ? (fin.proof.queue?.entries ?? []).filter((e) => e.status === 'dropped-upstream' && e.old).map((e) => ({ sha: e.old!.sha, subject: e.old!.subject })) : s.droppedEmpty,
    bump: fin?.bump ?? null,
    validation: fin?.validation ?? null,
    publish: extra.publish ? { atomic: extra.publish.atomic, refs: extra.publish.refs.map((x) => ({ ...x })) } : null,
    lease: extra.lease ?? null,
    rerere: { enabled: s.rerere.enabled, note: s.rerere.note },
    actions: extra.actions,
    gates: resolutionGates(s),
    rewrites: s.rewrites ?? [],
    warnings: s.warnings,
    errors: (extra.errors ?? []).map((e) => ({ code: e.code, message: e.message })),
  };
}
