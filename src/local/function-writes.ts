// The Lambda API's writes of functions in the local mode: manifests and zip packages written into the folder, which
// stays the source of truth (CreateFunction, UpdateFunctionCode/Configuration, tags, DeleteFunction).
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { API_VERSION } from '../api/common.js';
import { ResourceConflictError } from '../api/errors.js';
import type { KlambdaFunction } from '../api/function.js';
import { editDocument, manifestYaml, readDocument, removeDocument, setField, writeFileAtomic } from './manifest-files.js';
import type { ManifestSnapshot } from './manifest-snapshot.js';
import { requireFunction, requireVersion, sameObject, validated, type ManifestStore } from './manifest-store.js';

/** The zip the API writes for a function's $LATEST: beside its manifest, named after it. */
const latestZip = (manifestFile: string, fn: string) => join(dirname(manifestFile), `${fn}.zip`);

/** Writes `<name>.zip` and `<name>.yaml`, whose spec is `spec` with that zip as its code. */
export function createFunction(store: ManifestStore, ns: string, name: string, spec: Record<string, unknown>, zip: Buffer): Promise<KlambdaFunction> {
  return store.write(async (snap, reread) => {
    if (snap.getFunction(ns, name)) throw new ResourceConflictError(`Function already exist: ${name}`);
    const file = store.fileFor(ns, `${name}.yaml`);
    const zipFile = latestZip(file, name);
    if (existsSync(file)) throw new ResourceConflictError(`Cannot create function ${name}: ${file} already exists`);
    if (existsSync(zipFile)) throw new ResourceConflictError(`Cannot create function ${name}: ${zipFile} already exists`);
    // only what was given (defaults stay implicit); the code as the zip's name
    const fileSpec = { ...spec, code: { path: basename(zipFile) } };
    validated<KlambdaFunction>({ apiVersion: API_VERSION, kind: 'Function', metadata: { name, namespace: ns }, spec: fileSpec } as KlambdaFunction);
    const written: string[] = [];
    try {
      await writeFileAtomic(zipFile, zip);
      written.push(zipFile);
      await writeFileAtomic(file, manifestYaml({ apiVersion: API_VERSION, kind: 'Function', metadata: { name }, spec: fileSpec }, `Function ${name}, created through the Lambda API.`));
      written.push(file);
      const next = await reread();
      return { snap: next, result: requireFunction(next, ns, name) };
    } catch (err) {
      for (const w of written) await rm(w, { force: true });
      throw err;
    }
  });
}

/** $LATEST's code becomes `zip`, written to `<name>.zip` beside its manifest. */
export function updateFunctionCode(store: ManifestStore, ns: string, name: string, zip: Buffer): Promise<KlambdaFunction> {
  return store.write(async (snap, reread) => {
    const f = requireFunction(snap, ns, name);
    const where = snap.locate(f)!;
    const zipFile = latestZip(where.file, name);
    await writeFileAtomic(zipFile, zip);
    if (f.spec.code.path !== zipFile) {
      await editDocument(where.file, sameObject(f), (doc) => setField(doc, ['spec', 'code'], { path: basename(zipFile) }));
    }
    const next = await reread();
    return { snap: next, result: requireFunction(next, ns, name) };
  });
}

/** Sets (or, for undefined, removes) fields of a Function's spec, field by field, validated as the folder would be. */
export function updateFunctionSpec(store: ManifestStore, ns: string, name: string, fields: Record<string, unknown>): Promise<KlambdaFunction> {
  return store.write(async (snap, reread) => {
    const f = requireFunction(snap, ns, name);
    const where = snap.locate(f)!;
    const raw = await readDocument(where.file, sameObject(f)) as { spec?: Record<string, unknown> } | null;
    const spec: Record<string, unknown> = { ...raw?.spec, ...fields };
    for (const [k, v] of Object.entries(fields)) if (v === undefined) delete spec[k];
    // checked with the code as loaded (an absolute path), written with the code as the file has it
    validated<KlambdaFunction>({ apiVersion: f.apiVersion, kind: f.kind, metadata: f.metadata, spec: { ...spec, code: f.spec.code } } as KlambdaFunction);
    await editDocument(where.file, sameObject(f), (doc) => {
      for (const [k, v] of Object.entries(fields)) setField(doc, ['spec', k], v);
    });
    const next = await reread();
    return { snap: next, result: requireFunction(next, ns, name) };
  });
}

/**
 * Deletes a function with its versions and aliases: their documents, and the zips klambda wrote for them
 * (`<name>.zip`, `<name>.v<N>.zip`). Code a manifest names elsewhere (a folder, another zip) is the user's and stays.
 */
export function deleteFunction(store: ManifestStore, ns: string, name: string): Promise<void> {
  return store.write(async (snap) => {
    const f = requireFunction(snap, ns, name);
    let next: ManifestSnapshot = snap;
    for (const a of snap.aliases(ns, name)) {
      await removeDocument(next.locate(a)!.file, sameObject(a));
      next = next.without(a);
    }
    for (const v of snap.versions(ns, name)) next = await removeVersion(next, ns, name, v.spec.version);
    const file = next.locate(f)!.file;
    await removeDocument(file, sameObject(f));
    if (f.spec.code.path === latestZip(file, name)) await rm(f.spec.code.path, { force: true });
    return { snap: next.without(f), result: undefined };
  });
}

/** Deletes one published version (AWS: not while an alias points at it). */
export function deleteVersion(store: ManifestStore, ns: string, name: string, version: string): Promise<void> {
  return store.write(async (snap) => {
    requireFunction(snap, ns, name);
    requireVersion(snap, ns, name, version);
    const users = snap.aliases(ns, name).filter((a) => a.spec.functionVersion === version || Object.keys(a.spec.routingConfig?.additionalVersionWeights ?? {}).includes(version));
    if (users.length > 0) {
      throw new ResourceConflictError(`Unable to delete version because the following aliases reference it: [${users.map((a) => a.spec.name).join(', ')}]`);
    }
    return { snap: await removeVersion(snap, ns, name, version), result: undefined };
  });
}

async function removeVersion(snap: ManifestSnapshot, ns: string, name: string, version: string): Promise<ManifestSnapshot> {
  const v = requireVersion(snap, ns, name, version);
  const file = snap.locate(v)!.file;
  await removeDocument(file, sameObject(v));
  const zip = join(dirname(file), `${name}.v${version}.zip`);
  if (v.spec.function.code.path === zip) await rm(zip, { force: true });
  return snap.without(v);
}
