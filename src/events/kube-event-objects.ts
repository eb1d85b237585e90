// The EventObjects port on a cluster: a namespace's Topic and EventRule objects through the API server, each write
// checked as the folder checks a manifest (the same messages), replaced with its resourceVersion (a conflicting
// write is read again and redone).
import { API_VERSION } from '../api/common.js';
import { InvalidParameterError } from '../api/errors.js';
import type { EventRule } from '../api/event-rule.js';
import { checkObject } from '../api/parse.js';
import type { Topic } from '../api/topic.js';
import { klambdaPath, type Stored } from '../controller/kinds.js';
import { isConflict, isNotFound, type KubeClient } from '../kube/client.js';
import type { EventObjects } from './backends.js';

type Plural = 'topics' | 'eventrules';
type Made = { spec: Record<string, unknown>; annotations?: Record<string, string> } | undefined;
interface List<T> { items: T[] }

const KIND: Record<Plural, 'Topic' | 'EventRule'> = { topics: 'Topic', eventrules: 'EventRule' };
const ATTEMPTS = 5;

export function kubeEventObjects(client: KubeClient, namespace: string): EventObjects {
  const list = async <T>(plural: Plural): Promise<T[]> => {
    const items = (await client.get<List<Stored<unknown>>>(klambdaPath(namespace, plural))).items;
    return items.map((o) => ({ ...o, metadata: { ...o.metadata, namespace } }) as unknown as T)
      .sort((a, b) => (a as { metadata: { name: string } }).metadata.name.localeCompare((b as { metadata: { name: string } }).metadata.name));
  };

  async function put<T>(plural: Plural, name: string, make: (current: T | undefined) => Made): Promise<T | undefined> {
    const path = klambdaPath(namespace, plural, name);
    for (let attempt = 1; ; attempt++) {
      const current = await client.find<Stored<unknown>>(path);
      const next = make(current as unknown as T | undefined);
      if (!next) return current as unknown as T | undefined;
      const annotations = next.annotations && Object.keys(next.annotations).length > 0 ? next.annotations : undefined;
      const checked = checkObject({ apiVersion: API_VERSION, kind: KIND[plural], metadata: { name, namespace, ...(annotations ? { annotations } : {}) }, spec: next.spec });
      if (!checked.ok) throw new InvalidParameterError(checked.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '));
      try {
        const written = current
          ? await client.replace<Stored<unknown>>(path, { ...current, metadata: { ...current.metadata, annotations: annotations ?? {} }, spec: next.spec })
          : await client.create<Stored<unknown>>(klambdaPath(namespace, plural), {
            apiVersion: API_VERSION, kind: KIND[plural], metadata: { name, namespace, ...(annotations ? { annotations } : {}) }, spec: next.spec,
          });
        return written as unknown as T;
      } catch (err) {
        // another write came first (or the object was made or deleted meanwhile): read it again and redo the change
        if ((isConflict(err) || isNotFound(err)) && attempt < ATTEMPTS) continue;
        throw err;
      }
    }
  }

  const remove = async (plural: Plural, name: string): Promise<void> => {
    try { await client.delete(klambdaPath(namespace, plural, name)); } catch (err) { if (!isNotFound(err)) throw err; }
  };

  return {
    namespace,
    topics: () => list<Topic>('topics'),
    rules: () => list<EventRule>('eventrules'),
    putTopic: (name, make) => put<Topic>('topics', name, make),
    removeTopic: (name) => remove('topics', name),
    putRule: (name, make) => put<EventRule>('eventrules', name, make),
    removeRule: (name) => remove('eventrules', name),
  };
}
