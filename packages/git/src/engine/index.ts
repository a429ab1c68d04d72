export { type CommitInfo, parseCatFileBatch, parseCommitObject, parseIdent, writeLooseObject } from './commit-object.js';
export { type MergeConflictMessage, type MergeTreeResult, mergeReplyLength, parseMergeReply, parseMergeTree } from './merge-tree.js';
export { type MergeSession, type MergeSessionOptions, findStdbuf, openMergeSession } from './merge-session.js';
export { type EngineCallOptions, type OutlinedCommit, type Queue, type QueueCommit, type QueueWalk, listQueue, outlineQueue, parseQueueLog, parseRawZ, PLAIN_DIFF_FLAGS, readCommits, walkQueue } from './queue.js';
export { type RepoObjectInfo, objectDirEnv, repoObjectInfo, withTemporaryObjectDir } from './object-dir.js';
export { type ReplayConflict, type ReplayedCommit, type ReplayOk, type ReplayOptions, type ReplayResult, type SettleStop, replayQueue } from './replay.js';
export { type WorktreeReplayOptions, type WorktreeReplayResult, worktreeReplay } from './worktree-replay.js';
export { type EngineChoice, type EngineName, type EngineSetting, type EngineSupport, engineSupport, selectEngine } from './support.js';
/** Re-exported for consumers of the engine; defined in core. */
export { parseGitVersion } from '@rebase-daily/core';
export { type ConflictLocalization, type LocalizeOptions, type UpstreamCommitRef, localizeConflict, parseMainline } from './localize.js';
export { type CheckCommit, type CheckOptions, type PatchPaths, checkQueue, parseDiffTreeStdin, patchPaths, upstreamChanges } from './replay-check.js';
export { type VerifyQueueResult, verifyQueue } from './verify-queue.js';
