import { packageTestConfig } from '../../vitest.shared.mts';

// Real gt is a 100 MB packaged binary that takes seconds to start on a loaded 2-core machine, and
// each fixture stack runs several gt commands: give tests room.
export default packageTestConfig({ testTimeout: 300_000 });
