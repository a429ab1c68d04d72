export { verifyStage, verifyBranchName } from './stages/verify-stage.js';
export { applyStage } from './stages/apply-stage.js';
export { publishStage, publishCandidates, refsToPublish, neverUpstream } from './stages/publish-stage.js';
export { bumpVersion, type BumpResult, type BumpVersionOptions } from './version/bump-version.js';
// The publish gate: the one function through which anything reaches the fork remote (src/gate/).
export { publishThroughGate, unvalidated, type GateRequest, type GateOutcome } from './gate/publish-gate.js';
export { mapQueue, type QueueDecision, type QueueMap } from './gate/queue-map.js';
export { introducedMarkers, parseGrepCounts, MARKER_PATTERN } from './gate/markers.js';
export { proofPatches } from './gate/proof-patches.js';
export { forkMoved, type ForkExpectation } from './refs/fork-unmoved.js';
export { validationEvidence } from './stages/validation-evidence.js';
export { leasePush, leaseArg, leaseRecord, atomicLeasePush, type LeasePushResult, type MultiPushResult, type RefUpdate } from './refs/lease-push.js';
export { classifyPush, parsePushPorcelain, type PushOutcome, type PushOutcomeKind, type PushRefLine } from './refs/push-rejection.js';
export { readPatchQueue, type PatchQueue } from './engine/patch-queue.js';
export { describeConflict, readRebaseStop, reproduceCommands, type RebaseStop, type ReproduceInput } from './engine/rebase-conflict.js';
export { withTempWorktree, tempWorktreePath, reproduceWorktreePath, type TempWorktree } from './engine/temp-worktree.js';
export { observedShas, stageRefs, type ObservedShas } from './stages/observed-shas.js';
export { isRebasing, abortIfRebasing } from './engine/rebase-state.js';
/** Moved to core (the process seam and git basics); re-exported for consumers of 0.1. */
export { uninterruptible, worktreeHolding } from '@rebase-daily/core';
export { compareVersions } from './version/compare-versions.js';
export { manifestVersion, setManifestVersion, setLockVersions, inheritsWorkspaceVersion } from './version/cargo-manifest.js';
export { cargoWorkspaceMembers, cargoAcceptsLock, parseCargoMetadata, staleLockEntries, type BumpChecks, type CargoMember } from './version/cargo-metadata.js';
export { findSupersededBumps, parseBumpLog, versionOnlyChange, bumpSubjectPatterns, BUMP_TRAILER, BUMP_LOG_FORMAT, type SupersededCommit, type SupersedeScan } from './version/superseded-bumps.js';
export { upstreamVersion, newestTagVersion, forkVersionOf, type UpstreamVersion, type VersionConfig } from './version/upstream-version.js';

export { chooseEngine, type EngineDecision, type EngineUse } from './stages/engine-choice.js';
export { localizationRecord, localizeForReport, type LocalizationRecord } from './engine/conflict-localization.js';
export { replayConflict, type ReplayStop } from './engine/rebase-conflict.js';

// The in-memory replay engine (src/engine/): see src/engine/README.md.
export * from './engine/index.js';

// Lock files merged by structure (conflicts.mechanical): src/lockfile/.
export * from './lockfile/index.js';

// Agent-owned conflict resolution (`rebase-daily resolve`): src/resolve/.
export * from './resolve/index.js';

// The context bundle handed to whoever resolves a conflict: src/context/.
export { buildContextBundle, renderContextBundle, writeContextBundle, parseLogWithFiles, parseShortstat, areaHistogram, BUNDLE_LIMITS, LARGE_DAY, type ContextBundle, type BundleCommit } from './context/context-bundle.js';
