export { type CommitInfo, parseCatFileBatch, parseCommitObject, parseIdent, writeLooseObject } from './commit-object.js';
export { type MergeConflictMessage, type MergeTreeResult, parseMergeTree } from './merge-tree.js';
export { type EngineCallOptions, type Queue, type QueueCommit, listQueue, parseCherryMarks, readCommits } from './queue.js';
export { type CasResult, type RepoObjectInfo, casUpdateRef, objectDirEnv, repoObjectInfo, withTemporaryObjectDir } from './object-dir.js';
export { type ReplayConflict, type ReplayedCommit, type ReplayOk, type ReplayOptions, type ReplayResult, replayQueue } from './replay.js';
export { type WorktreeReplayOptions, type WorktreeReplayResult, worktreeReplay } from './worktree-replay.js';
export { type EngineChoice, type EngineName, type EngineSetting, type EngineSupport, engineSupport, parseGitVersion, selectEngine } from './support.js';
export { type ConflictLocalization, type LocalizeOptions, type UpstreamCommitRef, localizeConflict, parseMainline } from './localize.js';
export { type CheckOptions, type PatchPaths, checkQueue, parseDiffTreeStdin, patchPaths } from './replay-check.js';
