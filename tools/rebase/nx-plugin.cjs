// The Nx plugin registration of this workspace (nx.json "plugins"). It hands over to
// `@rebase-daily/cli/plugin`, which infers one project per rebase-daily.json, once that package is
// built. In a fresh clone `npm ci` builds the packages through Nx before the plugin exists: until
// then there are no fork projects to infer (the build needs none), instead of a graph that cannot load.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const built = join(__dirname, '..', '..', 'packages', 'cli', 'dist', 'plugin.cjs');
module.exports = existsSync(built)
  ? require(built)
  : { name: 'rebase-daily (cli not built yet: no fork projects)', createNodesV2: ['**/rebase-daily.json', () => []] };
