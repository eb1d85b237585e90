// The Function URL calls in the local mode: `spec.url` (and the times beside it, an annotation) read from and written
// into the Function's or Alias's manifest document, wherever it lives; the folder stays the source of truth.
import { statSync } from 'node:fs';
import type { Alias } from '../api/alias.js';
import type { KlambdaFunction } from '../api/function.js';
import type { ArnContext } from '../core/arn.js';
import type { UrlConfig } from '../core/function-url.js';
import type { FunctionUrlStore, UrlSlot } from '../router/lambda/function-urls.js';
import { URL_TIMES_ANNOTATION, urlTimesAnnotation, urlTimesOf } from '../router/lambda/function-urls-shape.js';
import { editDocument, setField } from './manifest-files.js';
import type { ManifestSnapshot } from './manifest-snapshot.js';
import { sameObject, validated, type ManifestStore } from './manifest-store.js';

type UrlHolder = KlambdaFunction | Alias;

export class LocalFunctionUrls implements FunctionUrlStore {
  constructor(private readonly store: ManifestStore, readonly namespace: string, readonly arn: ArnContext, private readonly now: () => Date = () => new Date()) {}

  async read(functionName: string, qualifier: string | undefined): Promise<UrlSlot | undefined> {
    const snap = this.store.snapshot();
    const holder = this.holder(snap, functionName, qualifier);
    return holder && this.slot(snap, holder);
  }

  async list(functionName: string): Promise<Array<{ qualifier?: string; config: UrlConfig; times: UrlSlot['times'] }> | undefined> {
    const snap = this.store.snapshot();
    const f = snap.getFunction(this.namespace, functionName);
    if (!f) return undefined;
    const out: Array<{ qualifier?: string; config: UrlConfig; times: UrlSlot['times'] }> = [];
    if (f.spec.url) out.push({ config: f.spec.url, times: this.slot(snap, f).times });
    const aliases = snap.aliases(this.namespace, functionName).sort((a, b) => a.spec.name.localeCompare(b.spec.name));
    for (const a of aliases) if (a.spec.url) out.push({ qualifier: a.spec.name, config: a.spec.url, times: this.slot(snap, a).times });
    return out;
  }

  write(functionName: string, qualifier: string | undefined, change: (slot: UrlSlot) => UrlConfig | undefined, missing: () => Error): Promise<UrlSlot> {
    return this.store.write(async (snap) => {
      const old = this.holder(snap, functionName, qualifier);
      if (!old) throw missing();
      const current = this.slot(snap, old);
      const next = change(current);
      const annotations: Record<string, string> = { ...old.metadata.annotations };
      if (next === undefined) delete annotations[URL_TIMES_ANNOTATION];
      else annotations[URL_TIMES_ANNOTATION] = urlTimesAnnotation(current.config ? current.times : undefined, this.now());
      const metadata = { ...old.metadata, annotations };
      if (Object.keys(annotations).length === 0) delete (metadata as { annotations?: unknown }).annotations;
      const spec: Record<string, unknown> = { ...old.spec, url: next };
      if (next === undefined) delete spec.url;
      // checked as the folder would be: a refused url leaves the file as it was
      const object = validated<UrlHolder>({ ...old, metadata, spec } as UrlHolder);
      const where = snap.locate(old)!;
      await editDocument(where.file, sameObject(old), (doc) => {
        setField(doc, ['spec', 'url'], next);
        setField(doc, ['metadata', 'annotations', URL_TIMES_ANNOTATION], annotations[URL_TIMES_ANNOTATION]);
        const left = doc.getIn(['metadata', 'annotations']) as { items?: unknown[] } | undefined;
        if (left && Array.isArray(left.items) && left.items.length === 0) doc.deleteIn(['metadata', 'annotations']);
      });
      const after = { ...where, object };
      return { snap: snap.with(after), result: this.slot(snap.with(after), object) };
    });
  }

  private holder(snap: ManifestSnapshot, functionName: string, qualifier: string | undefined): UrlHolder | undefined {
    const f = snap.getFunction(this.namespace, functionName);
    if (!f || qualifier === undefined) return f;
    return snap.getAlias(this.namespace, functionName, qualifier);
  }

  /** The object's url and its times (a url written by hand: the times of its file). */
  private slot(snap: ManifestSnapshot, holder: UrlHolder): UrlSlot {
    const file = snap.locate(holder)?.file;
    let mtime: string;
    try { mtime = (file ? statSync(file).mtime : this.now()).toISOString(); } catch { mtime = this.now().toISOString(); }
    return { ...(holder.spec.url ? { config: holder.spec.url } : {}), times: urlTimesOf(holder.metadata.annotations, mtime) };
  }
}
