// Which functions a reload of the manifest folder added, changed or removed (pure): what klambda dev names as it reloads.
import { createHash } from 'node:crypto';
import type { KlambdaFunction, SecretKeyRef } from '../api/function.js';
import type { ManifestSnapshot } from './manifest-snapshot.js';

/** A digest of the values a secretEnvironment resolves to (a Secret's change changes the function; the values stay unseen). */
function secretsDigest(snap: ManifestSnapshot, ns: string, refs: Record<string, SecretKeyRef> | undefined): string {
  if (!refs || Object.keys(refs).length === 0) return '';
  try {
    return createHash('sha256').update(JSON.stringify(snap.resolveSecretEnvironment(ns, refs))).digest('hex');
  } catch (err) {
    return `unresolved: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** A function's spec, code digest, Secret values, published versions and aliases: what a save can change about it. */
function fingerprint(snap: ManifestSnapshot, fn: KlambdaFunction): string {
  const ns = fn.metadata.namespace;
  const name = fn.metadata.name;
  let code: string;
  try {
    code = snap.codeSha256(ns, fn.spec);
  } catch (err) {
    code = `unresolved: ${err instanceof Error ? err.message : String(err)}`;
  }
  const secrets = [fn.spec, ...snap.versions(ns, name).map((v) => v.spec.function)].map((s) => secretsDigest(snap, ns, s.secretEnvironment));
  return JSON.stringify([fn.spec, code, secrets, snap.versions(ns, name).map((v) => v.spec), snap.aliases(ns, name).map((a) => a.spec)]);
}

/** A function's name, with its namespace unless that is the local mode's own ("default"). */
const nameOf = (fn: KlambdaFunction): string =>
  (fn.metadata.namespace === 'default' ? fn.metadata.name : `${fn.metadata.namespace}/${fn.metadata.name}`);

/** The names of the functions whose manifests differ between two loads of the folder, sorted. */
export function changedFunctions(before: ManifestSnapshot, after: ManifestSnapshot): string[] {
  const prints = (snap: ManifestSnapshot): Map<string, string> =>
    new Map(snap.functions().map((fn) => [nameOf(fn), fingerprint(snap, fn)]));
  const a = prints(before);
  const b = prints(after);
  const names = new Set([...a.keys(), ...b.keys()]);
  return [...names].filter((n) => a.get(n) !== b.get(n)).sort();
}
