// The Function URL calls on a cluster: `spec.url` of the Function or Alias object, and the times beside it (an
// annotation), read from and written to the API server (an update at the resourceVersion it read: the router's RBAC
// has update, not patch, on functions and aliases).
import { checkObject } from '../../api/parse.js';
import type { ArnContext } from '../../core/arn.js';
import { conflict, invalidParameter } from '../../core/errors.js';
import type { UrlConfig } from '../../core/function-url.js';
import { isConflict, type KubeClient } from '../../kube/client.js';
import { klambdaPath, type Stored } from '../../controller/kinds.js';
import type { FunctionUrlStore, UrlSlot } from './function-urls.js';
import { URL_TIMES_ANNOTATION, urlTimesAnnotation, urlTimesOf } from './function-urls-shape.js';

export interface UrlSpec { url?: UrlConfig; functionName?: string; name?: string }
export type Holder = Stored<UrlSpec>;
interface List<T> { items: T[] }

const ATTEMPTS = 5;

export class KubeFunctionUrls implements FunctionUrlStore {
  constructor(private readonly client: KubeClient, readonly namespace: string, readonly arn: ArnContext, private readonly now: () => Date = () => new Date()) {}

  async read(functionName: string, qualifier: string | undefined): Promise<UrlSlot | undefined> {
    const holder = await this.holder(functionName, qualifier);
    return holder && slotOf(holder);
  }

  async list(functionName: string): Promise<Array<{ qualifier?: string; config: UrlConfig; times: UrlSlot['times'] }> | undefined> {
    const f = await this.fn(functionName);
    if (!f) return undefined;
    const out: Array<{ qualifier?: string; config: UrlConfig; times: UrlSlot['times'] }> = [];
    if (f.spec.url) out.push({ config: f.spec.url, times: slotOf(f).times });
    const aliases = (await this.aliases(functionName)).sort((a, b) => aliasName(a).localeCompare(aliasName(b)));
    for (const a of aliases) if (a.spec.url) out.push({ qualifier: aliasName(a), config: a.spec.url, times: slotOf(a).times });
    return out;
  }

  async write(functionName: string, qualifier: string | undefined, change: (slot: UrlSlot) => UrlConfig | undefined, missing: () => Error): Promise<UrlSlot> {
    for (let attempt = 1; ; attempt++) {
      const holder = await this.holder(functionName, qualifier);
      if (!holder) throw missing();
      const current = slotOf(holder);
      const next = change(current);
      const times = next === undefined ? undefined : urlTimesAnnotation(current.config ? current.times : undefined, this.now());
      this.check(holder, next);
      const plural = holder.kind === 'Alias' ? 'aliases' : 'functions';
      try {
        const replaced = await this.client.replace<Holder>(klambdaPath(this.namespace, plural, holder.metadata.name), withUrl(holder, next, times));
        return slotOf(replaced);
      } catch (e) {
        if (!isConflict(e)) throw e;
        if (attempt >= ATTEMPTS) throw conflict(`The function ${functionName}${qualifier ? `:${qualifier}` : ''} changed meanwhile; try again`);
      }
    }
  }

  /** Our rules on the object with its new url (the API server checks the schema; the spec issues are ours). */
  private check(holder: Holder, url: UrlConfig | undefined): void {
    const spec: Record<string, unknown> = { ...holder.spec, url };
    if (url === undefined) delete spec.url;
    const r = checkObject({ apiVersion: holder.apiVersion, kind: holder.kind, metadata: { name: holder.metadata.name, namespace: this.namespace }, spec });
    if (!r.ok) throw invalidParameter(r.issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  }

  private async holder(functionName: string, qualifier: string | undefined): Promise<Holder | undefined> {
    const f = await this.fn(functionName);
    if (!f || qualifier === undefined) return f;
    return (await this.aliases(functionName)).find((a) => aliasName(a) === qualifier);
  }

  private async fn(name: string): Promise<Holder | undefined> {
    const f = await this.client.find<Holder>(klambdaPath(this.namespace, 'functions', name));
    return f && !f.metadata.deletionTimestamp ? f : undefined;
  }

  private async aliases(functionName: string): Promise<Holder[]> {
    const list = await this.client.get<List<Holder>>(klambdaPath(this.namespace, 'aliases'));
    return list.items.filter((a) => a.spec.functionName === functionName && !a.metadata.deletionTimestamp);
  }
}

const aliasName = (a: Holder): string => a.spec.name ?? a.metadata.name;

function slotOf(holder: Holder): UrlSlot {
  const fallback = holder.metadata.creationTimestamp ?? new Date().toISOString();
  return { ...(holder.spec.url ? { config: holder.spec.url } : {}), times: urlTimesOf(holder.metadata.annotations, fallback) };
}

/**
 * The object with `spec.url` set to `next` (undefined: none) and its times annotation to `times` (undefined: none),
 * keeping the resourceVersion it was read at: a PUT of it is refused (409) if the object changed meanwhile.
 */
export function withUrl(holder: Holder, next: UrlConfig | undefined, times: string | undefined): Holder {
  const annotations: Record<string, string> = { ...holder.metadata.annotations };
  if (times === undefined) delete annotations[URL_TIMES_ANNOTATION]; else annotations[URL_TIMES_ANNOTATION] = times;
  const metadata = { ...holder.metadata, annotations };
  if (Object.keys(annotations).length === 0) delete (metadata as { annotations?: unknown }).annotations;
  const spec: UrlSpec = { ...holder.spec };
  if (next === undefined) delete spec.url; else spec.url = next;
  return { ...holder, metadata, spec };
}
