// The Lambda API's writes of layers in the local mode: each version a zip beside its Layer manifest
// (`<name>.layer.v<N>.zip`), listed in that manifest (`<name>.layer.yaml`, made for the first version).
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isMap, isSeq, type Document } from 'yaml';
import { API_VERSION, DEFAULT_NAMESPACE } from '../api/common.js';
import { ResourceConflictError } from '../api/errors.js';
import { LAST_VERSION_ANNOTATION, lastLayerVersion, type Layer, type LayerVersionSpec } from '../api/layer.js';
import { bufferDigest } from '../code/package-digest.js';
import { namesLayerVersion } from '../core/layer-arn.js';
import { layerVersionEntry, type LayerVersionFields } from '../router/lambda/layer-configuration.js';
import { editDocument, manifestYaml, setField, writeFileAtomic } from './manifest-files.js';
import type { ManifestSnapshot } from './manifest-snapshot.js';
import { sameObject, validated, type ManifestStore } from './manifest-store.js';

/** The zip the API writes for a layer version: beside the layer's manifest. */
const versionZip = (manifestFile: string, name: string, version: number) => join(dirname(manifestFile), `${name}.layer.v${version}.zip`);

/**
 * Publishes `zip` as the layer's next version (1 for a new layer; never a number it had before, even a deleted one):
 * the zip first, then the version appended to the manifest. Returns the layer and the version as the folder has them.
 */
export function publishLayerVersion(store: ManifestStore, ns: string, name: string, input: LayerVersionFields, zip: Buffer): Promise<{ layer: Layer; version: LayerVersionSpec }> {
  return store.write(async (snap, reread) => {
    const layer = snap.getLayer(ns, name);
    const file = layer ? snap.locate(layer)!.file : store.fileFor(ns, `${name}.layer.yaml`);
    if (!layer && existsSync(file)) throw new ResourceConflictError(`Cannot publish layer ${name}: ${file} already exists`);
    const number = (layer ? lastLayerVersion(layer) : 0) + 1;
    const zipFile = versionZip(file, name, number);
    if (existsSync(zipFile)) throw new ResourceConflictError(`Cannot publish version ${number} of layer ${name}: ${zipFile} already exists`);
    const entry = layerVersionEntry(number, input, { path: basename(zipFile) }, bufferDigest(zip).sha256, new Date().toISOString());
    const metadata = { name, ...(ns !== DEFAULT_NAMESPACE ? { namespace: ns } : {}) };
    validated<Layer>({ apiVersion: API_VERSION, kind: 'Layer', metadata: { ...metadata, namespace: ns }, spec: { versions: [...(layer?.spec.versions ?? []), entry] } });
    await writeFileAtomic(zipFile, zip);
    try {
      if (layer) await editDocument(file, sameObject(layer), (doc) => appendVersion(doc, entry));
      else await writeFileAtomic(file, manifestYaml({ apiVersion: API_VERSION, kind: 'Layer', metadata, spec: { versions: [entry] } }, `Layer ${name}, published through the Lambda API. Versions are immutable: publish a new one.`));
      const next = await reread();
      return { snap: next, result: requireLayerVersion(next, ns, name, number) };
    } catch (err) {
      await rm(zipFile, { force: true });
      throw err;
    }
  });
}

/**
 * Deletes a layer version: its entry, and its zip when klambda wrote it (code a manifest names elsewhere stays). Nothing
 * there is no error. The layer's manifest stays (with its last number noted) so a number is never published twice.
 * A version a function or function version of the folder still uses is refused: the folder would no longer load.
 */
export function deleteLayerVersion(store: ManifestStore, ns: string, name: string, version: number): Promise<void> {
  return store.write(async (snap, reread) => {
    const layer = snap.getLayer(ns, name);
    const v = layer?.spec.versions.find((x) => x.version === version);
    if (!layer || !v) return { snap, result: undefined };
    const users = layerUsers(snap, ns, name, version);
    if (users.length > 0) {
      throw new ResourceConflictError(`Layer version ${name}:${version} is used by ${users.join(', ')}; the local mode keeps layers as files, so remove it from their layers first`);
    }
    const file = snap.locate(layer)!.file;
    const last = lastLayerVersion(layer);
    await editDocument(file, sameObject(layer), (doc) => {
      removeVersion(doc, version);
      setField(doc, ['metadata', 'annotations', LAST_VERSION_ANNOTATION], String(last));
    });
    const zip = versionZip(file, name, version);
    if (v.code.path === zip) await rm(zip, { force: true });
    return { snap: await reread(), result: undefined };
  });
}

/** The Functions (`fn`) and FunctionVersions (`fn:N`) of the namespace whose layers name this version. */
export function layerUsers(snap: ManifestSnapshot, ns: string, name: string, version: number): string[] {
  const uses = (refs: readonly string[] | undefined) => namesLayerVersion(refs, name, version);
  const out: string[] = [];
  for (const f of snap.functions()) {
    if (f.metadata.namespace !== ns) continue;
    if (uses(f.spec.layers)) out.push(f.metadata.name);
    for (const fv of snap.versions(ns, f.metadata.name)) if (uses(fv.spec.function.layers)) out.push(`${f.metadata.name}:${fv.spec.version}`);
  }
  return out;
}

function requireLayerVersion(snap: ManifestSnapshot, ns: string, name: string, version: number): { layer: Layer; version: LayerVersionSpec } {
  const layer = snap.getLayer(ns, name);
  const v = snap.layerVersion(ns, name, version);
  if (!layer || !v) throw new Error(`layer ${name} version ${version} is not in the folder after it was written`);
  return { layer, version: v };
}

function appendVersion(doc: Document, entry: LayerVersionSpec): void {
  const seq = doc.getIn(['spec', 'versions'], true);
  if (isSeq(seq)) {
    seq.items.push(doc.createNode(entry));
    seq.flow = false;
  } else {
    setField(doc, ['spec', 'versions'], [entry]);
  }
}

function removeVersion(doc: Document, version: number): void {
  const seq = doc.getIn(['spec', 'versions'], true);
  if (!isSeq(seq)) return;
  const i = seq.items.findIndex((item) => isMap(item) && Number(item.get('version')) === version);
  if (i >= 0) seq.items.splice(i, 1);
  if (seq.items.length === 0) seq.flow = true;
}
