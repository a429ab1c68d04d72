export { alignStage, type AlignData } from './align.js';
export { resolveGt, packageDir, GT_ENV, GT_INSTALL_HINT, type GtResolution, type ResolveGtOptions } from './gt-bin.js';
export { readGraphiteRepo, parseGraphiteRepoConfig, type GraphiteRepoConfig } from './graphite-repo.js';
export { parseGtLsClassic, parseGtBranchLines, type GtLsEntry } from './gt-ls.js';
export { discoverDescendants, branchTips, stackRoots, subtree, type BranchNode, type DescendantTree, type DiscoverResult } from './descendants.js';
export { syncGraphite, type SyncOutcome } from './sync.js';
export { restackUpstack, abortAndRestore, inspectStoppedRebase, takeSnapshot, type RestackSnapshot, type RestoreOutcome, type StoppedRebase } from './restack.js';
export { verifyParentage, type ParentageDrift } from './parentage.js';
export { graphiteErrors } from './errors.js';
