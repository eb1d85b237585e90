// The CRDs: generated from the TypeBox schemas, committed under crds/, structural, with the CRD-only rules in place.
import { RUNTIMES } from '../../src/core/runtimes.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { parse } from 'yaml';
import { JsonObject, StringEnum, StringMap } from '../../src/api/common.js';
import { editAt, toCrdSchema, withRules, type CrdSchema, type CustomResourceDefinition } from '../../src/api/crd.js';
import { klambdaCrds } from '../../src/api/crd-kinds.js';

const CRD_DIR = join(process.cwd(), 'crds');
const crds = klambdaCrds();
const byKind = (kind: string): CustomResourceDefinition => {
  const crd = crds.find((c) => c.spec.names.kind === kind);
  if (!crd) throw new Error(`no CRD for ${kind}`);
  return crd;
};
const root = (kind: string): CrdSchema => byKind(kind).spec.versions[0]!.schema.openAPIV3Schema;
const specOf = (kind: string): CrdSchema => root(kind).properties!.spec!;

/** Every node under a schema, with its path. */
function* nodes(s: CrdSchema, path = '$'): Generator<[string, CrdSchema]> {
  yield [path, s];
  for (const [k, v] of Object.entries(s.properties ?? {})) yield* nodes(v, `${path}.${k}`);
  if (s.additionalProperties) yield* nodes(s.additionalProperties, `${path}.*`);
  if (s.items) yield* nodes(s.items, `${path}[]`);
}

describe('committed CRDs', () => {
  it('are exactly what scripts/generate-crds.ts produces now (run `npm run crds` when this fails)', () => {
    const committed = readdirSync(CRD_DIR).filter((f) => f.endsWith('.yaml')).sort();
    expect(committed).toEqual(crds.map((c) => `${c.metadata.name}.yaml`).sort());
    for (const crd of crds) {
      const onDisk: unknown = parse(readFileSync(join(CRD_DIR, `${crd.metadata.name}.yaml`), 'utf8'));
      expect(onDisk).toEqual(JSON.parse(JSON.stringify(crd)));
    }
  });
});

const KINDS = ['Function', 'FunctionVersion', 'Alias', 'Topic', 'EventRule', 'EventSourceMapping', 'Layer', 'BucketNotification'];
const rulesOf = (s: CrdSchema | undefined) => (s?.['x-kubernetes-validations'] ?? []).map((v) => v.rule);
const columns = (kind: string) => byKind(kind).spec.versions[0]!.additionalPrinterColumns.map((c) => [c.name, c.jsonPath]);

describe.each(KINDS)('%s CRD', (kind) => {
  it('is a namespaced v1 CRD with one served+storage version and a status subresource', () => {
    const crd = byKind(kind);
    expect(crd.apiVersion).toBe('apiextensions.k8s.io/v1');
    expect(crd.spec.group).toBe('klambda.dev');
    expect(crd.metadata.name).toBe(`${crd.spec.names.plural}.klambda.dev`);
    expect(crd.spec.scope).toBe('Namespaced');
    expect(crd.spec.versions).toHaveLength(1);
    expect(crd.spec.versions[0]).toMatchObject({ name: 'v1alpha1', served: true, storage: true, subresources: { status: {} } });
  });

  it('has a structural schema: every node typed (or preserving unknown fields), no TypeBox leftovers', () => {
    const s = root(kind);
    expect(Object.keys(s.properties!).sort()).toEqual(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
    expect(s.properties!.metadata).toEqual({ type: 'object' });
    for (const [path, node] of nodes(s)) {
      const typed = typeof node.type === 'string' || node['x-kubernetes-preserve-unknown-fields'] === true;
      expect(typed ? path : `${path} has no type`).toBe(path);
      const raw = node as Record<string, unknown>;
      for (const bad of ['$id', 'kind', 'Kind', 'anyOf', 'oneOf', 'allOf', 'not', 'const']) expect(raw[bad]).toBeUndefined();
      expect(raw.additionalProperties === false).toBe(false);
      expect(node.properties !== undefined && node.additionalProperties !== undefined).toBe(false);
    }
  });

  it('types the status with conditions and observedGeneration', () => {
    const status = root(kind).properties!.status!;
    expect(status.properties).toMatchObject({ observedGeneration: { type: 'integer' }, conditions: { type: 'array', 'x-kubernetes-list-map-keys': ['type'] } });
  });

  it('has an AGE printer column', () => {
    expect(byKind(kind).spec.versions[0]!.additionalPrinterColumns).toContainEqual({ name: 'AGE', type: 'date', jsonPath: '.metadata.creationTimestamp' });
  });
});

describe('kind-specific settings', () => {
  it('names and short names', () => {
    expect(crds.map((c) => [c.spec.names.plural, c.spec.names.shortNames])).toEqual([
      ['functions', ['fn']], ['functionversions', ['fnv']], ['aliases', ['alias']],
      ['topics', []], ['eventrules', []], ['eventsourcemappings', ['esm']], ['layers', []], ['bucketnotifications', []],
    ]);
    expect(crds.map((c) => c.spec.names.kind)).toEqual(KINDS);
    for (const crd of crds) expect(crd.spec.names.categories).toEqual(['klambda']);
  });

  it('keeps Function limits and defaults (memoryMB 128..10240, default 128)', () => {
    expect(specOf('Function').properties!.memoryMB).toEqual({ type: 'integer', minimum: 128, maximum: 10240, default: 128 });
    expect(specOf('Function').required).toEqual(['runtime', 'code']);
    expect(specOf('Function').properties!.runtime).toEqual({ type: 'string', enum: [...RUNTIMES] });
    expect(RUNTIMES).toEqual(expect.arrayContaining(['nodejs20', 'python3.11', 'provided', 'ruby3', 'dotnet8']));
    expect(specOf('Function').properties!.environment).toEqual({ type: 'object', additionalProperties: { type: 'string' } });
    expect(specOf('FunctionVersion').properties!.function!.properties!.memoryMB).toMatchObject({ minimum: 128, maximum: 10240, default: 128 });
  });

  it('types the Function status and prints runtime, latest version and readiness', () => {
    const status = root('Function').properties!.status!;
    expect(status.properties).toMatchObject({ latestVersion: { type: 'string' }, url: { type: 'string' }, observedGeneration: { type: 'integer' } });
    expect(Object.keys(status.properties!.conditions!.items!.properties!).sort())
      .toEqual(['lastTransitionTime', 'message', 'observedGeneration', 'reason', 'status', 'type']);
    expect(byKind('Function').spec.versions[0]!.additionalPrinterColumns.map((c) => [c.name, c.jsonPath])).toEqual([
      ['RUNTIME', '.spec.runtime'], ['LATEST', '.status.latestVersion'],
      ['READY', '.status.conditions[?(@.type=="Ready")].status'], ['AGE', '.metadata.creationTimestamp'],
    ]);
  });

  it('makes the FunctionVersion spec immutable with a CEL rule', () => {
    expect(specOf('FunctionVersion')['x-kubernetes-validations']).toEqual([{ rule: 'self == oldSelf', message: 'FunctionVersion spec is immutable' }]);
    expect(specOf('FunctionVersion').properties!.function!.properties!.publish).toBeUndefined();
  });

  it('limits Alias routing to one extra version weighted 0..1', () => {
    const weights = specOf('Alias').properties!.routingConfig!.properties!.additionalVersionWeights!;
    expect(weights).toEqual({ type: 'object', maxProperties: 1, additionalProperties: { type: 'number', minimum: 0, maximum: 1 } });
    expect(byKind('Alias').spec.versions[0]!.additionalPrinterColumns.map((c) => c.name)).toEqual(['FUNCTION', 'VERSION', 'PROVISIONED', 'AGE']);
  });

  it('keys Layer versions by number, each immutable once published, with exactly one code source; functions name at most 5', () => {
    const versions = specOf('Layer').properties!.versions!;
    expect(versions).toMatchObject({ type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['version'] });
    expect(rulesOf(versions.items)).toEqual(['self == oldSelf']);
    expect(rulesOf(versions.items!.properties!.code)).toEqual(['[has(self.path), has(self.s3)].filter(x, x).size() == 1']);
    expect(versions.items!.properties!.compatibleArchitectures!.items).toEqual({ type: 'string', enum: ['x86_64', 'arm64'] });
    expect(columns('Layer')).toEqual([['LATEST', '.spec.versions[-1:].version'], ['AGE', '.metadata.creationTimestamp']]);
    expect(specOf('Function').properties!.layers).toMatchObject({ type: 'array', maxItems: 5, items: { type: 'string', maxLength: 140 } });
    expect(specOf('FunctionVersion').properties!.function!.properties!.layers).toMatchObject({ maxItems: 5 });
  });
});

describe('event kinds', () => {
  it('keep free-form event patterns and filter policies whole', () => {
    const free = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    expect(specOf('EventRule').properties!.eventPattern).toEqual(free);
    expect(specOf('Topic').properties!.subscriptions!.items!.properties!.filterPolicy).toEqual(free);
  });

  it('key Topic subscriptions by protocol and endpoint, with CEL for the endpoint scheme and raw delivery', () => {
    const subs = specOf('Topic').properties!.subscriptions!;
    expect(subs).toMatchObject({ maxItems: 100, default: [], 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['protocol', 'endpoint'] });
    expect(subs.items!.properties!.filterPolicyScope).toEqual({ type: 'string', default: 'MessageAttributes', enum: ['MessageAttributes', 'MessageBody'] });
    expect(subs.items!['x-kubernetes-validations']!.map((v) => v.fieldPath)).toEqual(['.endpoint', '.endpoint', '.rawMessageDelivery']);
    expect(rulesOf(specOf('Topic').properties!.deliveryPolicy)).toHaveLength(1);
    expect(root('Topic').properties!.status!.properties!.topicArn).toEqual({ type: 'string' });
    expect(columns('Topic')).toEqual([['READY', '.status.conditions[?(@.type=="Ready")].status'], ['AGE', '.metadata.creationTimestamp']]);
  });

  it('say in CEL that a rule has a pattern or a schedule, not both, and that each target has one kind and one input', () => {
    const spec = specOf('EventRule');
    expect(rulesOf(spec)).toEqual([
      'has(self.eventPattern) || has(self.scheduleExpression)',
      '!has(self.eventPattern) || !has(self.scheduleExpression)',
      "!has(self.scheduleExpression) || !has(self.eventBusName) || self.eventBusName == 'default'",
    ]);
    // a rule PutRule makes has no targets until PutTargets
    expect(spec.properties!.targets).toMatchObject({ maxItems: 5, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['id'] });
    expect(spec.properties!.targets!.minItems).toBeUndefined();
    expect(rulesOf(spec.properties!.targets!.items)).toEqual([
      '[has(self.function), has(self.topic)].filter(x, x).size() == 1',
      '[has(self.input), has(self.inputPath), has(self.inputTransformer)].filter(x, x).size() <= 1',
    ]);
    expect(spec.properties!.eventBusName).toMatchObject({ default: 'default' });
    expect(spec.properties!.state).toMatchObject({ default: 'ENABLED', enum: ['ENABLED', 'DISABLED'] });
    expect(columns('EventRule').map(([name]) => name)).toEqual(['STATE', 'SCHEDULE', 'READY', 'AGE']);
    expect(root('EventRule').properties!.status!.properties!.ruleArn).toEqual({ type: 'string' });
  });

  it('say in CEL that a mapping has one source, a starting position for streams only, and a record age of -1 or 60..', () => {
    const spec = specOf('EventSourceMapping');
    expect(rulesOf(spec.properties!.source)).toEqual(['[has(self.stream), has(self.queue)].filter(x, x).size() == 1']);
    expect(rulesOf(spec).filter((r) => r.includes('startingPosition'))).toHaveLength(2);
    expect(rulesOf(spec.properties!.maximumRecordAgeSeconds)).toEqual(['self == -1 || self >= 60']);
    expect(rulesOf(spec.properties!.destinationConfig!.properties!.onFailure)).toEqual(['[has(self.function), has(self.topic), has(self.queue)].filter(x, x).size() == 1']);
    expect(spec.properties!.batchSize).toEqual({ type: 'integer', default: 100, minimum: 1, maximum: 10000 });
    expect(columns('EventSourceMapping').map(([name]) => name)).toEqual(['SOURCE', 'FUNCTION', 'BATCH', 'READY', 'AGE']);
    expect(Object.keys(root('EventSourceMapping').properties!.status!.properties!)).toEqual(expect.arrayContaining(['uuid', 'state']));
  });
});

describe('editAt', () => {
  it('copies only the path it edits, and refuses a missing path', () => {
    const spec = specOf('EventRule');
    const edited = withRules(spec, ['targets', '[]', 'id'], [{ rule: 'self != "x"' }]);
    expect(rulesOf(edited.properties!.targets!.items!.properties!.id)).toEqual(['self != "x"']);
    expect(rulesOf(spec.properties!.targets!.items!.properties!.id)).toEqual([]);
    expect(edited.properties!.eventPattern).toBe(spec.properties!.eventPattern);
    expect(() => withRules(spec, ['targets', '[]', 'nope'], [])).toThrow('spec.targets[].nope: no such field');
    expect(() => editAt(spec, ['state', '[]'], (n) => n)).toThrow('spec.state: not a list');
  });
});

describe('toCrdSchema', () => {
  it('turns unions of literals into enums and numeric exclusive bounds into OpenAPI v3 booleans', () => {
    expect(toCrdSchema(Type.Union([Type.Literal('a'), Type.Literal('b')]))).toEqual({ type: 'string', enum: ['a', 'b'] });
    expect(toCrdSchema(Type.Number({ exclusiveMinimum: 0 }))).toEqual({ type: 'number', minimum: 0, exclusiveMinimum: true });
    expect(toCrdSchema(StringEnum(['x'] as const, { $id: 'X' }))).toEqual({ type: 'string', enum: ['x'] });
    expect(toCrdSchema(StringMap(Type.Integer()))).toEqual({ type: 'object', additionalProperties: { type: 'integer' } });
  });

  it('turns a free-form object into one that keeps unknown fields', () => {
    expect(toCrdSchema(JsonObject())).toEqual({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
    expect(toCrdSchema(Type.Object({ a: Type.String() }, { additionalProperties: true }))).toEqual({
      type: 'object', required: ['a'], properties: { a: { type: 'string' } }, 'x-kubernetes-preserve-unknown-fields': true,
    });
  });

  it('refuses what a structural schema cannot say', () => {
    expect(() => toCrdSchema(Type.Union([Type.String(), Type.Object({})]))).toThrow(/anyOf/);
    expect(() => toCrdSchema(Type.Any())).toThrow(/type/);
    expect(() => toCrdSchema(Type.Object({ a: Type.Not(Type.String()) }))).toThrow(/\$\.a: cannot express not/);
  });
});
