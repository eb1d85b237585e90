// Multi-document YAML/JSON manifests → typed, defaulted objects; every problem reported with file, document, path and line.
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import { AliasSchema, aliasSpecIssues, defaultAlias, type Alias } from './alias.js';
import { BucketNotificationSchema, bucketNotificationSpecIssues, type BucketNotification } from './bucket-notification.js';
import { API_VERSION } from './common.js';
import { configMapIssues, ConfigMapSchema, type ConfigMap } from './config-map.js';
import { secretIssues, SecretSchema, type Secret } from './secret.js';
import { ManifestError, type ManifestIssue } from './errors.js';
import { EventRuleSchema, eventRuleSpecIssues, type EventRule } from './event-rule.js';
import { EventSourceMappingSchema, eventSourceMappingSpecIssues, type EventSourceMapping } from './event-source-mapping.js';
import { defaultFunctionSpec, FunctionSchema, functionSpecIssues, isRecord, type KlambdaFunction, type SpecIssue } from './function.js';
import { FunctionVersionSchema, functionVersionSpecIssues, type FunctionVersion } from './function-version.js';
import { LayerSchema, layerSpecIssues, type Layer } from './layer.js';
import { TopicSchema, topicSpecIssues, type Topic } from './topic.js';
import { schemaIssues, show, type PathIssue } from './validate.js';

export type KlambdaObject = KlambdaFunction | FunctionVersion | Alias | Topic | EventRule | EventSourceMapping | Layer | BucketNotification;
/** Everything a manifest folder may hold: our kinds, ConfigMaps (code for `code.configMap`) and Secrets (values for `secretEnvironment`). */
export type Manifest = KlambdaObject | ConfigMap | Secret;
export type ManifestKind = Manifest['kind'];

interface KindRule {
  apiVersion: string;
  schema: TSchema;
  /** Defaults a schema cannot express (they depend on other fields). */
  fill(obj: Record<string, unknown>): void;
  /** Rules a schema cannot express, with paths from the object's root. */
  rules(obj: Record<string, unknown>): SpecIssue[];
}

const inSpec = (issues: SpecIssue[]) => issues.map((i) => ({ path: i.path ? `spec.${i.path}` : 'spec', message: i.message }));
/** A kind whose every default is in its schema. */
const noFill = () => undefined;

const KINDS: Record<ManifestKind, KindRule> = {
  Function: { apiVersion: API_VERSION, schema: FunctionSchema, fill: (o) => defaultFunctionSpec(o.spec), rules: (o) => inSpec(functionSpecIssues(o.spec)) },
  FunctionVersion: {
    apiVersion: API_VERSION, schema: FunctionVersionSchema,
    fill: (o) => { if (isRecord(o.spec)) defaultFunctionSpec(o.spec.function); },
    rules: (o) => inSpec(functionVersionSpecIssues(o.spec)),
  },
  Alias: { apiVersion: API_VERSION, schema: AliasSchema, fill: (o) => defaultAlias(o), rules: (o) => inSpec(aliasSpecIssues(o.spec)) },
  Topic: { apiVersion: API_VERSION, schema: TopicSchema, fill: noFill, rules: (o) => inSpec(topicSpecIssues(o.spec)) },
  EventRule: { apiVersion: API_VERSION, schema: EventRuleSchema, fill: noFill, rules: (o) => inSpec(eventRuleSpecIssues(o.spec)) },
  EventSourceMapping: {
    apiVersion: API_VERSION, schema: EventSourceMappingSchema, fill: noFill, rules: (o) => inSpec(eventSourceMappingSpecIssues(o.spec)),
  },
  Layer: { apiVersion: API_VERSION, schema: LayerSchema, fill: noFill, rules: (o) => inSpec(layerSpecIssues(o.spec)) },
  BucketNotification: {
    apiVersion: API_VERSION, schema: BucketNotificationSchema, fill: noFill, rules: (o) => inSpec(bucketNotificationSpecIssues(o.spec)),
  },
  ConfigMap: { apiVersion: 'v1', schema: ConfigMapSchema, fill: noFill, rules: (o) => configMapIssues(o) },
  Secret: { apiVersion: 'v1', schema: SecretSchema, fill: noFill, rules: (o) => secretIssues(o) },
};

export const KNOWN_KINDS = `Function, FunctionVersion, Alias, Topic, EventRule, EventSourceMapping, Layer, BucketNotification (${API_VERSION}) and ConfigMap, Secret (v1)`;

/** No manifest of ours comes near this depth of maps and lists; a deeper one is refused before anything recurses into it. */
export const MAX_NESTING = 100;

/** Whether `value` holds maps or lists nested more than `limit` deep (an explicit stack, no recursion). */
export function deeperThan(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > limit) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

export type CheckResult = { ok: true; object: Manifest } | { ok: false; issues: PathIssue[] };

/** Validates one decoded object (not mutated) and returns it with defaults filled in, or every problem found. */
export function checkObject(value: unknown): CheckResult {
  if (!isRecord(value)) {
    return { ok: false, issues: [{ path: '', message: `a manifest must be a map with apiVersion, kind and metadata, got ${show(value)}` }] };
  }
  const kind = value.kind;
  if (typeof kind !== 'string') {
    return { ok: false, issues: [{ path: 'kind', message: kind === undefined ? `is required (one of ${KNOWN_KINDS})` : `must be a string, got ${show(kind)}` }] };
  }
  const rule = Object.hasOwn(KINDS, kind) ? KINDS[kind as ManifestKind] : undefined;
  if (!rule) {
    return { ok: false, issues: [{ path: 'kind', message: `unknown kind ${JSON.stringify(kind)} (apiVersion ${show(value.apiVersion)}); klambda reads ${KNOWN_KINDS}` }] };
  }
  // checked without recursion first: what follows (cloning, the schema, patterns) recurses and would overflow the stack
  if (deeperThan(value, MAX_NESTING)) return { ok: false, issues: [{ path: '', message: `is nested more than ${MAX_NESTING} levels deep` }] };
  const obj = Value.Default(rule.schema, structuredClone(value)) as Record<string, unknown>;
  rule.fill(obj);
  const issues: PathIssue[] = [];
  if (obj.apiVersion !== rule.apiVersion) {
    issues.push({ path: 'apiVersion', message: `must be ${rule.apiVersion} for kind ${kind}, got ${show(obj.apiVersion)}` });
  }
  for (const i of schemaIssues(rule.schema, obj)) if (i.path !== 'apiVersion') issues.push(kind === 'Secret' ? withoutSecretValue(i) : i);
  // One problem per field: a rule in code says nothing more about a field the schema already refused.
  const seen = new Set(issues.map((i) => i.path));
  for (const i of rule.rules(obj)) if (!seen.has(i.path)) issues.push(i);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, object: obj as unknown as Manifest };
}

/** A Secret's problem never shows the value it is about ("got …"). */
function withoutSecretValue(i: PathIssue): PathIssue {
  if (!/^(data|stringData)([.[]|$)/.test(i.path)) return i;
  return { path: i.path, message: `${i.message.replace(/,? got [\s\S]*$/, '')} (the value is not shown)` };
}

/** checkObject for one document of a file: throws a ManifestError naming it. */
export function checkManifest(value: unknown, source: string, document = 1): Manifest {
  const r = checkObject(value);
  if (r.ok) return r.object;
  throw new ManifestError(r.issues.map((i) => ({ source, document, ...i })));
}

export interface ParsedDocument {
  source: string;
  /** Index of the document in its file, from 1 (empty documents count). */
  document: number;
  object: Manifest;
}

/** Parses a multi-document YAML (or JSON) text; throws one ManifestError with the problems of every document. */
export function parseManifestDocuments(text: string, source: string): ParsedDocument[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: true });
  if (!Array.isArray(docs)) return []; // an empty stream
  const out: ParsedDocument[] = [];
  const issues: ManifestIssue[] = [];
  docs.forEach((doc, i) => {
    const document = i + 1;
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const line = e.linePos?.[0]?.line;
        issues.push({ source, document, path: '', message: `not valid YAML: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`, ...(line ? { line } : {}) });
      }
      return;
    }
    if (doc.contents === null) return;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (err) {
      issues.push({ source, document, path: '', message: `not valid YAML: ${(err as Error).message}` });
      return;
    }
    if (value === null || value === undefined) return;
    const r = checkObject(value);
    if (r.ok) out.push({ source, document, object: r.object });
    else for (const issue of r.issues) issues.push({ source, document, ...issue, ...lineOf(doc, lineCounter, issue.path) });
  });
  if (issues.length > 0) throw new ManifestError(issues);
  return out;
}

/** The typed objects of a manifest text, defaults applied. Throws a ManifestError listing every problem. */
export function parseManifests(text: string, source: string): Manifest[] {
  return parseManifestDocuments(text, source).map((d) => d.object);
}

/** `spec.code.inline["index.mjs"]` → ['spec', 'code', 'inline', 'index.mjs']; `targets[0].id` → ['targets', '0', 'id']. */
export function pathKeys(path: string): string[] {
  const keys: string[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[("(?:[^"\\]|\\.)*")\]|\[(\d+)\]/g)) keys.push(m[1] ?? m[3] ?? (JSON.parse(m[2]!) as string));
  return keys;
}

/** The line of the deepest node on the path that the document has. */
function lineOf(doc: Document, lc: LineCounter, path: string): { line?: number } {
  const keys = pathKeys(path);
  for (let n = keys.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(keys.slice(0, n), true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return { line: lc.linePos(range[0]).line };
  }
  return {};
}
