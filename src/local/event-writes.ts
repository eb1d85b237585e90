// The event APIs' writes in the local mode: a Topic or EventRule put (created, or its spec and annotations replaced in
// the document where it is) or removed, validated exactly as the folder loads it. New objects get a file of their own,
// `<name>.topic.yaml` / `<name>.rule.yaml`, beside the manifests of their namespace.
import { existsSync } from 'node:fs';
import { API_VERSION, DEFAULT_NAMESPACE } from '../api/common.js';
import { ResourceConflictError } from '../api/errors.js';
import type { EventRule } from '../api/event-rule.js';
import type { Topic } from '../api/topic.js';
import { editDocument, manifestYaml, removeDocument, setField, writeFileAtomic } from './manifest-files.js';
import { sameObject, validated, type ManifestStore } from './manifest-store.js';

type EventObject = Topic | EventRule;
const SUFFIX: Record<EventObject['kind'], string> = { Topic: 'topic', EventRule: 'rule' };

/**
 * Creates or replaces an object's spec and annotations. `make` gets the object as the folder has it (or undefined)
 * and returns the new spec and annotations (undefined: leave the object as it is).
 */
export function putEventObject<K extends EventObject['kind']>(
  store: ManifestStore, kind: K, ns: string, name: string,
  make: (current: Extract<EventObject, { kind: K }> | undefined) => { spec: Record<string, unknown>; annotations?: Record<string, string> } | undefined,
): Promise<Extract<EventObject, { kind: K }> | undefined> {
  type O = Extract<EventObject, { kind: K }>;
  return store.write(async (snap, reread) => {
    const current = (kind === 'Topic' ? snap.topics(ns) : snap.eventRules(ns)).find((o) => o.metadata.name === name) as O | undefined;
    const next = make(current);
    if (!next) return { snap, result: current };
    const annotations = next.annotations && Object.keys(next.annotations).length > 0 ? next.annotations : undefined;
    const metadata = { name, ...(annotations ? { annotations } : {}) };
    validated({ apiVersion: API_VERSION, kind, metadata: { ...metadata, namespace: ns }, spec: next.spec } as unknown as O);
    if (current) {
      await editDocument(snap.locate(current)!.file, sameObject(current), (doc) => {
        setField(doc, ['spec'], next.spec);
        setField(doc, ['metadata', 'annotations'], annotations);
      });
    } else {
      const file = store.fileFor(ns, `${name}.${SUFFIX[kind]}.yaml`);
      if (existsSync(file)) throw new ResourceConflictError(`Cannot create ${kind} ${name}: ${file} already exists`);
      const fileMeta = { ...metadata, ...(ns !== DEFAULT_NAMESPACE ? { namespace: ns } : {}) };
      await writeFileAtomic(file, manifestYaml({ apiVersion: API_VERSION, kind, metadata: fileMeta, spec: next.spec }, `${kind} ${name}, written through the ${kind === 'Topic' ? 'SNS' : 'EventBridge'} API.`));
    }
    const after = await reread();
    return { snap: after, result: (kind === 'Topic' ? after.topics(ns) : after.eventRules(ns)).find((o) => o.metadata.name === name) as O };
  });
}

/** Removes the object's document (its file when nothing else is in it); nothing there is no error. */
export function removeEventObject(store: ManifestStore, kind: EventObject['kind'], ns: string, name: string): Promise<void> {
  return store.write(async (snap) => {
    const current = (kind === 'Topic' ? snap.topics(ns) : snap.eventRules(ns)).find((o: EventObject) => o.metadata.name === name);
    if (!current) return { snap, result: undefined };
    await removeDocument(snap.locate(current)!.file, sameObject(current));
    return { snap: snap.without(current), result: undefined };
  });
}
