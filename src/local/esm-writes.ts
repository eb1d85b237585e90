// The event source mapping calls in the local mode: each mapping an EventSourceMapping manifest of the folder, which
// stays the source of truth. The API writes `esm-<uuid>.yaml` (object name `esm-<uuid>`); a mapping a user wrote
// elsewhere, under any name, is read, changed and removed where it is.
import { existsSync, statSync } from 'node:fs';
import { API_VERSION, DEFAULT_NAMESPACE } from '../api/common.js';
import { ResourceConflictError } from '../api/errors.js';
import type { EventSourceMapping } from '../api/event-source-mapping.js';
import {
  LAST_MODIFIED_ANNOTATION, lastModifiedOf, mappingNotFound, mappingObjectName, mappingUuid,
  type EventSourceMappingBackend, type SpecPatch, type StoredMapping,
} from '../router/lambda/event-source-mappings-backend.js';
import { editDocument, manifestYaml, readDocument, removeDocument, setField, writeFileAtomic } from './manifest-files.js';
import type { ManifestSnapshot } from './manifest-snapshot.js';
import { sameObject, validated, type ManifestStore } from './manifest-store.js';

export class LocalEventSourceMappings implements EventSourceMappingBackend {
  constructor(private readonly store: ManifestStore, private readonly namespace: string, private readonly now: () => Date = () => new Date()) {}

  async list(): Promise<StoredMapping[]> {
    const snap = this.store.snapshot();
    return snap.eventSourceMappings(this.namespace).map((m) => this.stored(snap, m));
  }

  async get(uuid: string): Promise<StoredMapping | undefined> {
    return (await this.list()).find((m) => m.uuid === uuid);
  }

  create(uuid: string, spec: Record<string, unknown>, check: (others: StoredMapping[]) => void): Promise<StoredMapping> {
    return this.store.write(async (snap, reread) => {
      check(this.all(snap));
      const name = mappingObjectName(uuid);
      const file = this.store.fileFor(this.namespace, `${name}.yaml`);
      if (existsSync(file)) throw new ResourceConflictError(`Cannot create event source mapping ${uuid}: ${file} already exists`);
      const metadata = {
        name, ...(this.namespace !== DEFAULT_NAMESPACE ? { namespace: this.namespace } : {}),
        annotations: { [LAST_MODIFIED_ANNOTATION]: this.now().toISOString() },
      };
      const object = { apiVersion: API_VERSION, kind: 'EventSourceMapping', metadata, spec };
      validated({ ...object, metadata: { ...metadata, namespace: this.namespace } } as unknown as EventSourceMapping);
      const target = String(spec.functionName);
      await writeFileAtomic(file, manifestYaml(object, `EventSourceMapping ${uuid} (into ${target}), created through the Lambda API.`));
      const next = await reread();
      return { snap: next, result: this.require(next, uuid) };
    });
  }

  update(uuid: string, change: (current: StoredMapping, others: StoredMapping[]) => SpecPatch): Promise<StoredMapping> {
    return this.store.write(async (snap, reread) => {
      const all = this.all(snap);
      const current = all.find((m) => m.uuid === uuid);
      const object = this.objectOf(snap, uuid);
      if (!current || !object) throw mappingNotFound();
      const patch = change(current, all.filter((m) => m !== current));
      const where = snap.locate(object)!;
      // the spec as the file writes it (no defaults filled in), with the patch: checked as the folder would be
      const raw = await readDocument(where.file, sameObject(object)) as { spec?: Record<string, unknown> } | null;
      const spec: Record<string, unknown> = { ...raw?.spec, ...patch };
      for (const [k, v] of Object.entries(patch)) if (v === undefined) delete spec[k];
      validated({ ...object, spec } as unknown as EventSourceMapping);
      await editDocument(where.file, sameObject(object), (doc) => {
        for (const [k, v] of Object.entries(patch)) setField(doc, ['spec', k], v);
        setField(doc, ['metadata', 'annotations', LAST_MODIFIED_ANNOTATION], this.now().toISOString());
      });
      const next = await reread();
      return { snap: next, result: this.require(next, uuid) };
    });
  }

  delete(uuid: string): Promise<StoredMapping> {
    return this.store.write(async (snap) => {
      const object = this.objectOf(snap, uuid);
      if (!object) throw mappingNotFound();
      const gone = this.stored(snap, object);
      // its own file goes; a user's file of several documents keeps the others
      await removeDocument(snap.locate(object)!.file, sameObject(object));
      return { snap: snap.without(object), result: gone };
    });
  }

  private all(snap: ManifestSnapshot): StoredMapping[] {
    return snap.eventSourceMappings(this.namespace).map((m) => this.stored(snap, m));
  }

  private objectOf(snap: ManifestSnapshot, uuid: string): EventSourceMapping | undefined {
    return snap.eventSourceMappings(this.namespace).find((m) => mappingUuid(m.metadata.namespace, m.metadata.name) === uuid);
  }

  private require(snap: ManifestSnapshot, uuid: string): StoredMapping {
    const object = this.objectOf(snap, uuid);
    if (!object) throw new Error(`event source mapping ${uuid} is not in the folder after it was written`);
    return this.stored(snap, object);
  }

  /** A manifest's mapping; without the API's annotation, its file's last change says when. */
  private stored(snap: ManifestSnapshot, m: EventSourceMapping): StoredMapping {
    const file = snap.locate(m)?.file;
    const written = file === undefined ? new Date(0) : fileTime(file);
    return { uuid: mappingUuid(m.metadata.namespace, m.metadata.name), name: m.metadata.name, spec: m.spec, lastModified: lastModifiedOf(m.metadata.annotations, written) };
  }
}

function fileTime(file: string): Date {
  try {
    return statSync(file).mtime;
  } catch {
    return new Date(0);
  }
}
