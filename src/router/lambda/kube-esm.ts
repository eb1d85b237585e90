// The event source mapping calls on a cluster: each mapping an EventSourceMapping object of the caller's namespace,
// written through the API server (the API names its objects `esm-<uuid>`; one applied with kubectl keeps its name).
import { API_VERSION } from '../../api/common.js';
import type { EventSourceMappingSpec } from '../../api/event-source-mapping.js';
import { checkObject } from '../../api/parse.js';
import { invalidParameter } from '../../core/errors.js';
import { checkStored, klambdaPath, type Stored } from '../../controller/kinds.js';
import { isConflict, isNotFound, type KubeClient } from '../../kube/client.js';
import {
  LAST_MODIFIED_ANNOTATION, lastModifiedOf, mappingNotFound, mappingObjectName, mappingUuid,
  type EventSourceMappingBackend, type SpecPatch, type StoredMapping,
} from './event-source-mappings-backend.js';

interface List<T> { items: T[] }

/** How many times a write is tried again after another writer changed the object first. */
const CONFLICT_RETRIES = 9;

/** The object CreateEventSourceMapping makes (pure): named after the UUID, stamped with when. */
export function mappingObject(namespace: string, uuid: string, spec: Record<string, unknown>, now: Date): Stored<Record<string, unknown>> {
  return {
    apiVersion: API_VERSION, kind: 'EventSourceMapping',
    metadata: { name: mappingObjectName(uuid), namespace, annotations: { [LAST_MODIFIED_ANNOTATION]: now.toISOString() } },
    spec,
  };
}

/** `object` with the patch applied to its spec and the change stamped (pure); a field patched to undefined is removed. */
export function patchedObject<T extends Stored<unknown>>(object: T, patch: SpecPatch, now: Date): T {
  const spec: Record<string, unknown> = { ...(object.spec as Record<string, unknown>), ...patch };
  for (const [k, v] of Object.entries(patch)) if (v === undefined) delete spec[k];
  const annotations = { ...object.metadata.annotations, [LAST_MODIFIED_ANNOTATION]: now.toISOString() };
  return { ...object, metadata: { ...object.metadata, annotations }, spec };
}

/** A stored object as a mapping (pure); undefined for one being deleted or whose spec does not check out. */
export function storedMapping(object: Stored<unknown>): StoredMapping | undefined {
  if (object.metadata.deletionTimestamp) return undefined;
  const checked = checkStored<EventSourceMappingSpec>(object);
  if (!checked.ok) return undefined;
  const made = object.metadata.creationTimestamp ? new Date(object.metadata.creationTimestamp) : new Date(0);
  return {
    uuid: mappingUuid(object.metadata.namespace, object.metadata.name), name: object.metadata.name, spec: checked.spec,
    lastModified: lastModifiedOf(object.metadata.annotations, made),
  };
}

export interface KubeEventSourceMappingsOptions {
  namespace: string;
  now?: () => Date;
}

export class KubeEventSourceMappings implements EventSourceMappingBackend {
  constructor(private readonly client: KubeClient, private readonly opts: KubeEventSourceMappingsOptions) {}

  private get ns(): string { return this.opts.namespace; }
  private now(): Date { return this.opts.now?.() ?? new Date(); }

  async list(): Promise<StoredMapping[]> {
    return (await this.objects()).map((o) => o.stored);
  }

  async get(uuid: string): Promise<StoredMapping | undefined> {
    // the API's own objects by name; a mapping applied under another name by its derived UUID
    const named = await this.client.find<Stored<unknown>>(klambdaPath(this.ns, 'eventsourcemappings', mappingObjectName(uuid)));
    const stored = named && storedMapping(named);
    if (stored?.uuid === uuid) return stored;
    return (await this.list()).find((m) => m.uuid === uuid);
  }

  /** The duplicate check and the create are two steps: two callers at once may both pass it (AWS's is atomic). */
  async create(uuid: string, spec: Record<string, unknown>, check: (others: StoredMapping[]) => void): Promise<StoredMapping> {
    check(await this.list());
    const object = mappingObject(this.ns, uuid, spec, this.now());
    this.check(object);
    const created = await this.client.create<Stored<unknown>>(klambdaPath(this.ns, 'eventsourcemappings'), object);
    const stored = storedMapping(created);
    if (!stored) throw invalidParameter(`The API server changed event source mapping ${uuid} into one klambda does not take`);
    return stored;
  }

  async update(uuid: string, change: (current: StoredMapping, others: StoredMapping[]) => SpecPatch): Promise<StoredMapping> {
    for (let attempt = 0; ; attempt++) {
      const all = await this.objects();
      const found = all.find((o) => o.stored.uuid === uuid);
      if (!found) throw mappingNotFound();
      const patch = change(found.stored, all.filter((o) => o !== found).map((o) => o.stored));
      const next = patchedObject(found.object, patch, this.now());
      this.check(next);
      try {
        const written = await this.client.replace<Stored<unknown>>(klambdaPath(this.ns, 'eventsourcemappings', found.object.metadata.name), next);
        return storedMapping(written) ?? found.stored;
      } catch (e) {
        // someone else wrote it first (the controller's status, a kubectl edit): patch what is there now
        if (!isConflict(e) || attempt >= CONFLICT_RETRIES) throw e;
      }
    }
  }

  async delete(uuid: string): Promise<StoredMapping> {
    const found = (await this.objects()).find((o) => o.stored.uuid === uuid);
    if (!found) throw mappingNotFound();
    try {
      await this.client.delete(klambdaPath(this.ns, 'eventsourcemappings', found.object.metadata.name));
    } catch (e) {
      if (isNotFound(e)) throw mappingNotFound();
      throw e;
    }
    return found.stored;
  }

  /** Every mapping of the namespace that checks out, with its object. */
  private async objects(): Promise<Array<{ object: Stored<unknown>; stored: StoredMapping }>> {
    const list = await this.client.get<List<Stored<unknown>>>(klambdaPath(this.ns, 'eventsourcemappings'));
    return list.items.flatMap((object) => {
      const stored = storedMapping(object);
      return stored ? [{ object, stored }] : [];
    });
  }

  /** An object as the API server will check it, with our rules on top; refused in AWS's shape. */
  private check(object: Stored<unknown>): void {
    const result = checkObject({ apiVersion: object.apiVersion, kind: object.kind, metadata: { name: object.metadata.name, namespace: this.ns }, spec: object.spec });
    if (!result.ok) throw invalidParameter(result.issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  }
}
