import { type CargoLock, type CargoLockPackage, parseCargoLock, parseDependency, writeCargoLock } from './cargo-lock-format.js';
import type { LockEntryChange, LockMergeInput, LockMergeResult, LockMerger } from './lock-merger.js';

type Scalar = string | number | undefined;
type Picked<T> = { ok: true; value: T } | { ok: false };

/** Three-way pick of one value: changed on one side → that side; changed both ways to different values → no answer. */
function pick<T>(base: T, ours: T, theirs: T, same: (a: T, b: T) => boolean = (a, b) => a === b): Picked<T> {
  if (same(ours, theirs)) return { ok: true, value: ours };
  if (same(base, ours)) return { ok: true, value: theirs };
  if (same(base, theirs)) return { ok: true, value: ours };
  return { ok: false };
}

/**
 * Three-way merge of two string sets: an element added on either side is in, one removed on either
 * side is out.
 */
function mergeSet(base: readonly string[], ours: readonly string[], theirs: readonly string[]): string[] {
  const b = new Set(base);
  const o = new Set(ours);
  const t = new Set(theirs);
  return [...new Set([...ours, ...theirs])].filter((e) => (b.has(e) ? o.has(e) && t.has(e) : true));
}

const keyBase = (p: CargoLockPackage) => `${p.name}\0${p.source ?? ''}`;
const same = (a: CargoLockPackage, b: CargoLockPackage) => JSON.stringify(normal(a)) === JSON.stringify(normal(b));
const normal = (p: CargoLockPackage) => ({ ...p, dependencies: [...p.dependencies].sort() });
const show = (v: Scalar) => (v === undefined ? '(none)' : String(v));

/**
 * The Cargo.lock merger. Entries are keyed by name and source (and version, for a name a source
 * provides in several versions on any side), then merged per field: version, source, checksum and
 * replace as single values, dependencies as a set (added on either side → added, removed on either
 * side → removed); the same field changed both ways is a finding. An entry removed on one side and
 * changed on the other goes when nothing in the merged lock still depends on it. Workspace members
 * (entries without a source) take the version their manifest has after the merge. The dependency
 * strings are then written as cargo writes them (a version only where a name has several, a source
 * only where a version has several), so the result is the lock cargo writes for the same packages;
 * a dependency that names no package of the merged lock is a finding.
 */
export function mergeCargoLock(input: LockMergeInput): LockMergeResult {
  const [base, ours, theirs] = [input.base, input.ours, input.theirs].map(parseCargoLock);
  const findings: string[] = [];

  const topVersion = pick<Scalar>(base.version, ours.version, theirs.version);
  if (!topVersion.ok) findings.push(`lock format version: base ${show(base.version)}, upstream ${show(ours.version)}, patch ${show(theirs.version)}`);
  const tail = pick(base.tail, ours.tail, theirs.tail);
  if (!tail.ok) findings.push('the sections after the packages ([[patch.unused]], [metadata]) changed both ways');
  const header = pick(base.header, ours.header, theirs.header, (a, b) => a.join('\n') === b.join('\n'));

  // A name a source provides in several versions at once (on any side) is keyed by version as well;
  // otherwise a version change (a member's bump) would read as a removal and an addition.
  const several = new Set<string>();
  for (const lock of [base, ours, theirs]) {
    const seen = new Set<string>();
    for (const p of lock.packages) {
      if (seen.has(keyBase(p))) several.add(keyBase(p));
      seen.add(keyBase(p));
    }
  }
  const perSide = (lock: CargoLock) => new Map(lock.packages.map((p) => [several.has(keyBase(p)) ? `${keyBase(p)}\0${p.version}` : keyBase(p), p] as const));
  const [b, o, t] = [base, ours, theirs].map(perSide);

  const merged = new Map<string, CargoLockPackage>();
  const removedChanged: { key: string; pkg: CargoLockPackage; side: string }[] = [];
  for (const key of new Set([...b.keys(), ...o.keys(), ...t.keys()])) {
    const [pb, po, pt] = [b.get(key), o.get(key), t.get(key)];
    if (!po && !pt) continue;
    if (!po || !pt) {
      const present = (po ?? pt) as CargoLockPackage;
      if (!pb) merged.set(key, present); // added on one side
      else if (!same(pb, present)) removedChanged.push({ key, pkg: present, side: po ? 'upstream' : 'the patch' });
      continue; // otherwise removed on one side
    }
    // An entry that cannot be settled stays as upstream has it, so it causes no further findings.
    merged.set(key, mergeEntry(pb, po, pt, input.members, findings) ?? { ...po });
  }

  // Member versions come from the manifests after the merge.
  for (const p of merged.values()) {
    const want = p.source === undefined ? input.members?.get(p.name) : undefined;
    if (want !== undefined) p.version = want;
  }
  // An entry removed on one side and changed on the other stays removed unless something depends on it.
  for (const r of removedChanged) {
    if (dependents(merged, r.pkg).length) findings.push(`${r.pkg.name} ${r.pkg.version}: removed on one side and changed by ${r.side}, and ${dependents(merged, r.pkg).join(', ')} still depend(s) on it`);
  }
  const encoded = encodeDependencies([...merged.values()], findings);
  if (findings.length) return { ok: false, findings };

  const lock: CargoLock = { header: header.ok ? header.value : ours.header, version: topVersion.ok ? (topVersion.value as number | undefined) : undefined, packages: encoded, tail: tail.ok ? tail.value : '' };
  return { ok: true, text: writeCargoLock(lock), entries: changesAgainst(ours.packages, encoded) };
}

/** Merge one entry present on all three sides (or added on both); null when a field cannot be settled (findings say why). */
function mergeEntry(pb: CargoLockPackage | undefined, po: CargoLockPackage, pt: CargoLockPackage, members: ReadonlyMap<string, string> | undefined, findings: string[]): CargoLockPackage | null {
  const label = `${po.name}${po.source ? '' : ' (workspace member)'}`;
  const base: Partial<CargoLockPackage> = pb ?? {};
  const out: CargoLockPackage = { name: po.name, version: po.version, dependencies: [] };
  let ok = true;
  for (const field of ['version', 'source', 'checksum', 'replace'] as const) {
    const r = pick<Scalar>(base[field], po[field], pt[field]);
    if (r.ok) {
      if (r.value !== undefined) out[field] = r.value as string;
      continue;
    }
    // A member's version is the manifest's: no conflict to settle there.
    if (field === 'version' && po.source === undefined && members?.has(po.name)) continue;
    findings.push(`${label} ${field}: ${pb ? `base ${show(base[field])}, ` : 'added on both sides: '}upstream ${show(po[field])}, patch ${show(pt[field])}`);
    ok = false;
  }
  out.dependencies = mergeSet(base.dependencies ?? [], po.dependencies, pt.dependencies);
  return ok ? out : null;
}

/** The package a dependency string names, among `packages`. */
function resolveDependency(packages: readonly CargoLockPackage[], dep: string): CargoLockPackage[] {
  const ref = parseDependency(dep);
  return packages.filter((p) => p.name === ref.name && (ref.version === undefined || p.version === ref.version) && (ref.source === undefined || p.source === ref.source));
}

function dependents(merged: Map<string, CargoLockPackage>, target: CargoLockPackage): string[] {
  const packages = [...merged.values()];
  return packages.filter((p) => p.dependencies.some((d) => parseDependency(d).name === target.name && resolveDependency(packages, d).length === 0)).map((p) => p.name);
}

/**
 * Rewrite every dependency string as cargo encodes it for this set of packages: the name alone when
 * one version of it is locked, `name version` when several are, `name version (source)` when that
 * version comes from several sources. A string that names no package, or several, is a finding.
 */
function encodeDependencies(packages: CargoLockPackage[], findings: string[]): CargoLockPackage[] {
  const versions = new Map<string, CargoLockPackage[]>();
  for (const p of packages) versions.set(p.name, [...(versions.get(p.name) ?? []), p]);
  const encode = (p: CargoLockPackage) => {
    const all = versions.get(p.name) ?? [];
    if (all.length === 1) return p.name;
    const sameVersion = all.filter((q) => q.version === p.version);
    return sameVersion.length > 1 && p.source ? `${p.name} ${p.version} (${p.source})` : `${p.name} ${p.version}`;
  };
  return packages.map((p) => ({
    ...p,
    dependencies: [
      ...new Set(
        p.dependencies.map((d) => {
          const found = resolveDependency(packages, d);
          if (found.length === 1) return encode(found[0]);
          findings.push(`${p.name} ${p.version}: dependency "${d}" ${found.length ? `is ambiguous (${found.map((f) => `${f.name} ${f.version}`).join(', ')})` : 'names no package in the merged lock'}`);
          return d;
        }),
      ),
    ],
  }));
}

/** The merged entries that differ from ours (upstream's side): what the patch brought. */
function changesAgainst(ours: readonly CargoLockPackage[], merged: readonly CargoLockPackage[]): LockEntryChange[] {
  const id = (p: CargoLockPackage) => `${p.name}\0${p.version}\0${p.source ?? ''}`;
  const loose = (p: CargoLockPackage) => `${p.name}\0${p.source ?? ''}`;
  const byId = new Map(ours.map((p) => [id(p), p]));
  const changes: LockEntryChange[] = [];
  const matched = new Set<CargoLockPackage>();
  for (const m of merged) {
    const exact = byId.get(id(m));
    // The same name and source in one version on both: a version change, not an add and a remove.
    const candidates = ours.filter((p) => loose(p) === loose(m));
    const before = exact ?? (candidates.length === 1 && merged.filter((x) => loose(x) === loose(m)).length === 1 ? candidates[0] : undefined);
    if (!before) {
      changes.push({ name: m.name, version: m.version, change: 'added' });
      continue;
    }
    matched.add(before);
    const fields = (['version', 'source', 'checksum', 'replace'] as const).filter((f) => before[f] !== m[f]);
    if ([...before.dependencies].sort().join('\n') !== [...m.dependencies].sort().join('\n')) fields.push('dependencies' as never);
    if (fields.length) changes.push({ name: m.name, version: m.version, change: 'changed', fields });
  }
  for (const p of ours) if (!matched.has(p)) changes.push({ name: p.name, version: p.version, change: 'removed' });
  return changes;
}

/** The Cargo.lock implementation of the lock-merger seam. */
export const cargoLockMerger: LockMerger = { fileName: 'Cargo.lock', merge: mergeCargoLock };
