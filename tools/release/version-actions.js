// @ts-check
'use strict';
/**
 * Nx Release "version actions" for the @rebase-daily/* npm packages.
 *
 * Nx Release needs one VersionActions implementation per ecosystem to read and
 * write versions. The stock JS one ships in @nx/js, which has no release
 * compatible with nx 24, so this is a small stand-in that does what we need:
 *
 *   - current version from `<projectRoot>/package.json` (currentVersionResolver "disk"),
 *     or from the npm registry if someone configures "registry";
 *   - writes the new version into the package's package.json;
 *   - rewrites dependents' `dependencies` / `devDependencies` / `peerDependencies` /
 *     `optionalDependencies` entries on bumped @rebase-daily/* packages;
 *   - keeps the root package-lock.json's workspace entries (`packages/<name>`) in step,
 *     so `npm ci` after a release does not see a stale lockfile.
 *
 * Everything goes through the Nx `tree`, so `--dry-run` only prints the diff and
 * writes nothing. Nx loads this file with require(); it must stay CommonJS.
 */
const { join } = require('node:path');
const { execFile } = require('node:child_process');
const { createRequire } = require('node:module');
const { VersionActions } = require('nx/release');

// semver is a dependency of nx itself; resolve it from there rather than relying on hoisting.
const semver = createRequire(require.resolve('nx/package.json'))('semver');

const DEPENDENCY_COLLECTIONS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'];
const LOCKFILE = 'package-lock.json';

/**
 * @param {import('nx/src/generators/tree').Tree} tree
 * @param {string} path
 */
function readJson(tree, path) {
  const text = tree.read(path, 'utf-8');
  if (text === null) throw new Error(`${path} does not exist`);
  return JSON.parse(text);
}

function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function isDeepEqual(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Apply `edits` (each `{ keys, value }`, a key path into the JSON document) to the file,
 * keeping the author's formatting where possible: each edit is first tried as a textual
 * replacement of `"<last key>": "<old value>"`; if the result does not parse to exactly
 * the intended document (e.g. the same key/value pair also appears elsewhere), the file
 * is re-serialized with two-space indentation instead.
 *
 * @param {import('nx/src/generators/tree').Tree} tree
 * @param {string} path
 * @param {{ keys: string[], value: string }[]} edits
 */
function editJson(tree, path, edits) {
  const text = tree.read(path, 'utf-8');
  if (text === null) throw new Error(`${path} does not exist`);
  const expected = JSON.parse(text);
  let patched = text;
  for (const { keys, value } of edits) {
    let parent = expected;
    for (const key of keys.slice(0, -1)) parent = parent[key];
    const last = keys[keys.length - 1];
    const old = parent[last];
    if (old === value) continue;
    parent[last] = value;
    const pattern = new RegExp(`("${escapeRegExp(last)}"\\s*:\\s*)"${escapeRegExp(String(old))}"`, 'g');
    patched = patched.replace(pattern, (_m, prefix) => `${prefix}${JSON.stringify(value)}`);
  }
  let parsed;
  try {
    parsed = JSON.parse(patched);
  } catch {
    parsed = undefined;
  }
  const next = isDeepEqual(parsed, expected) ? patched : `${JSON.stringify(expected, null, 2)}\n`;
  if (next !== text) tree.write(path, next);
}

/** `file:` and `workspace:` specifiers point at the local checkout; never turn them into versions. */
function isLocalProtocol(spec) {
  return spec.startsWith('file:') || spec.startsWith('workspace:') || spec.startsWith('link:');
}

/**
 * @param {import('nx/src/config/project-graph').ProjectGraph} projectGraph
 * @param {string} projectName
 */
function packageNameOf(projectGraph, projectName) {
  const node = projectGraph.nodes[projectName];
  return node?.data?.metadata?.js?.packageName ?? projectName;
}

class RebaseDailyVersionActions extends VersionActions {
  validManifestFilenames = ['package.json'];
  // No Prettier in this workspace, and we preserve the manifests' own formatting.
  excludeManifestsFromFormatting = true;

  get manifestPath() {
    return join(this.projectGraphNode.data.root, 'package.json');
  }

  /** @param {import('nx/src/generators/tree').Tree} tree */
  async readCurrentVersionFromSourceManifest(tree) {
    const json = readJson(tree, this.manifestPath);
    if (typeof json.version !== 'string') {
      throw new Error(
        `${this.manifestPath} has no "version" field; add one (e.g. "0.1.0") so nx release can bump it`,
      );
    }
    return { currentVersion: json.version, manifestPath: this.manifestPath };
  }

  /**
   * Only used with `currentVersionResolver: "registry"` (not our default: it needs the network).
   * @param {import('nx/src/generators/tree').Tree} tree
   * @param {Record<string, unknown> | undefined} metadata
   */
  async readCurrentVersionFromRegistry(tree, metadata) {
    const { name } = readJson(tree, this.manifestPath);
    const tag = typeof metadata?.tag === 'string' ? metadata.tag : 'latest';
    const args = ['view', `${name}@${tag}`, 'version'];
    if (typeof metadata?.registry === 'string') args.push(`--registry=${metadata.registry}`);
    const currentVersion = await new Promise((resolve) => {
      // A package that was never published makes `npm view` exit non-zero: that is "no version", not an error.
      execFile('npm', args, { cwd: tree.root, timeout: 30_000 }, (error, stdout) =>
        resolve(error ? null : stdout.trim() || null),
      );
    });
    return { currentVersion, logText: `npm ${args.join(' ')}` };
  }

  /**
   * @param {import('nx/src/generators/tree').Tree} tree
   * @param {import('nx/src/config/project-graph').ProjectGraph} projectGraph
   * @param {string} dependencyProjectName
   */
  async readCurrentVersionOfDependency(tree, projectGraph, dependencyProjectName) {
    const json = readJson(tree, this.manifestPath);
    const packageName = packageNameOf(projectGraph, dependencyProjectName);
    for (const collection of DEPENDENCY_COLLECTIONS) {
      const spec = json[collection]?.[packageName];
      if (typeof spec === 'string') return { currentVersion: spec, dependencyCollection: collection };
    }
    return { currentVersion: null, dependencyCollection: null };
  }

  /**
   * @param {import('nx/src/generators/tree').Tree} tree
   * @param {string} newVersion
   */
  async updateProjectVersion(tree, newVersion) {
    const logs = [];
    for (const { manifestPath } of this.manifestsToUpdate) {
      editJson(tree, manifestPath, [{ keys: ['version'], value: newVersion }]);
      logs.push(`✍️  New version ${newVersion} written to manifest: ${manifestPath}`);
    }
    if (this.updateLockfile(tree, (entry) => [{ keys: [...entry, 'version'], value: newVersion }])) {
      logs.push(`✍️  New version ${newVersion} written to ${LOCKFILE}`);
    }
    return logs;
  }

  /**
   * @param {import('nx/src/generators/tree').Tree} tree
   * @param {import('nx/src/config/project-graph').ProjectGraph} projectGraph
   * @param {Record<string, string>} dependenciesToUpdate project name -> new version spec (prefix already applied by Nx)
   */
  async updateProjectDependencies(tree, projectGraph, dependenciesToUpdate) {
    if (Object.keys(dependenciesToUpdate).length === 0) return [];
    const preserveRanges = this.collectionsPreservingRanges();
    const logs = [];
    for (const { manifestPath, preserveLocalDependencyProtocols } of this.manifestsToUpdate) {
      const json = readJson(tree, manifestPath);
      /** @type {{ keys: string[], value: string }[]} */
      const edits = [];
      for (const [project, newSpec] of Object.entries(dependenciesToUpdate)) {
        const packageName = packageNameOf(projectGraph, project);
        for (const collection of DEPENDENCY_COLLECTIONS) {
          const current = json[collection]?.[packageName];
          if (typeof current !== 'string' || current === newSpec) continue;
          if (isLocalProtocol(current)) {
            if (preserveLocalDependencyProtocols) continue;
          } else if (preserveRanges.includes(collection) && semver.validRange(current) && !semver.valid(current)) {
            // A real range (^0.1.0, >=1 <2) that already admits the new version stays as written.
            const bare = semver.coerce(newSpec)?.version;
            if (bare && semver.satisfies(bare, current)) continue;
          }
          edits.push({ keys: [collection, packageName], value: newSpec });
        }
      }
      if (edits.length === 0) continue;
      editJson(tree, manifestPath, edits);
      this.updateLockfile(tree, (entry) => edits.map((e) => ({ keys: [...entry, ...e.keys], value: e.value })));
      const noun = edits.length === 1 ? 'dependency' : 'dependencies';
      logs.push(`✍️  Updated ${edits.length} ${noun} in manifest: ${manifestPath}`);
    }
    return logs;
  }

  /** Which dependency collections keep a range that already matches (Nx default: all). */
  collectionsPreservingRanges() {
    const setting = this.finalConfigForProject.preserveMatchingDependencyRanges;
    if (setting === false) return [];
    if (Array.isArray(setting)) return setting;
    return DEPENDENCY_COLLECTIONS;
  }

  /**
   * Mirror manifest edits into package-lock.json's `packages["<projectRoot>"]` entry.
   * Returns false when there is no lockfile or no entry for this workspace.
   * @param {import('nx/src/generators/tree').Tree} tree
   * @param {(entry: string[]) => { keys: string[], value: string }[]} makeEdits
   */
  updateLockfile(tree, makeEdits) {
    if (!tree.exists(LOCKFILE)) return false;
    const root = this.projectGraphNode.data.root;
    const lock = readJson(tree, LOCKFILE);
    const entry = lock.packages?.[root];
    if (!entry) return false;
    const edits = makeEdits(['packages', root]).filter(({ keys }) => {
      // Only touch keys the lockfile entry already has (npm omits empty collections).
      const [, , collection] = keys;
      return keys.length === 3 || entry[collection] !== undefined;
    });
    if (edits.length === 0) return false;
    // The textual patch would also hit other packages' "version"s, so the lockfile is
    // always re-serialized; npm writes it as 2-space JSON with a trailing newline.
    for (const { keys, value } of edits) {
      let parent = lock;
      for (const key of keys.slice(0, -1)) parent = parent[key];
      parent[keys[keys.length - 1]] = value;
    }
    tree.write(LOCKFILE, `${JSON.stringify(lock, null, 2)}\n`);
    return true;
  }
}

module.exports = RebaseDailyVersionActions;
module.exports.default = RebaseDailyVersionActions;
