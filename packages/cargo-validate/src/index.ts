/**
 * @rebase-daily/cargo-validate — the validate stage: formatting gate, `cargo test` with parsed
 * per-crate results, a persistent cargo target dir, and a cache key that follows the trunk's tree.
 */
export { createValidateStage, resolveTargetDir, validateCachePath, validateStage } from './validate-stage.js';
export type { FailureReason, StepRecord, ValidateData, ValidateStageOptions } from './validate-stage.js';
export { validateCacheKey, normalizeValidateConfig, treeOf } from './cache-key.js';
export type { CacheKeyOptions, NormalizedValidateConfig, ValidateCacheKey } from './cache-key.js';
export { parseCargoTestOutput, binaryStem } from './parse-cargo-test.js';
export type { CargoTestReport, CompileFailure, Diagnostic, TestBinary, TestBinaryKind } from './parse-cargo-test.js';
export { attributeCrates, crateResults } from './attribute-crates.js';
export type { CargoMetadata, CrateResult } from './attribute-crates.js';
export { hasJustfile, isJustfileName, JUSTFILE_NAMES } from './justfile.js';
export { defaultToolSearchDirs, resolveTool, toolMissingError } from './resolve-tool.js';
export type { ResolveToolOptions } from './resolve-tool.js';
export { changedFiles, parsePorcelainZ, restoreFiles, saveDiff } from './changed-files.js';
export type { ChangedFiles } from './changed-files.js';
export { dedicatedWorktreePath, prepareValidationTree, releaseValidationTree } from './validation-tree.js';
export type { ValidationTree } from './validation-tree.js';
export { onePipeArgv, runStep } from './run-step.js';
export type { RunStepOptions, StepRun } from './run-step.js';
export { buildArgvFor, runTestStep } from './run-test-step.js';
export type { TestStepRun } from './run-test-step.js';
export { attributeByBuiltTargets, packageNameOf, parseBuiltTargets } from './test-executables.js';
export type { BuiltTarget } from './test-executables.js';
