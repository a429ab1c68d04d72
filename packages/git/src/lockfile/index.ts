export { type LockEntryChange, type LockMergeInput, type LockMergeResult, type LockMerger } from './lock-merger.js';
export { cargoLockMerger, mergeCargoLock } from './cargo-lock.js';
export { type CargoLock, type CargoLockPackage, parseCargoLock, writeCargoLock, compareDependencies, comparePackages, parseDependency } from './cargo-lock-format.js';
export { mechanicalStop, memberVersions, mergerFor } from './mechanical.js';
export { conflictTypesOf, type LockSettler, memoryLockSettler } from './memory-settle.js';
export { type LockedReplay, replayWithLocks } from './replay-with-locks.js';
export { rebaseSettlingLocks, type SettledRebase } from './worktree-settle.js';
export { confirmLockWithCargo } from './cargo-confirm.js';
export { describeLockMerge, lockMergesNote } from './describe.js';
