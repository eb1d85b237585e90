// The CRDs: generated from the TypeBox schemas, committed under crds/, structural, with the CRD-only rules in place.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { parse } from 'yaml';
import { StringEnum, StringMap } from '../../src/api/common.js';
import { toCrdSchema, type CrdSchema, type CustomResourceDefinition } from '../../src/api/crd.js';
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

describe.each(['Function', 'FunctionVersion', 'Alias'])('%s CRD', (kind) => {
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

  it('has an AGE printer column', () => {
    expect(byKind(kind).spec.versions[0]!.additionalPrinterColumns).toContainEqual({ name: 'AGE', type: 'date', jsonPath: '.metadata.creationTimestamp' });
  });
});

describe('kind-specific settings', () => {
  it('names and short names', () => {
    expect(crds.map((c) => [c.spec.names.plural, c.spec.names.shortNames])).toEqual([
      ['functions', ['fn']], ['functionversions', ['fnv']], ['aliases', ['alias']],
    ]);
  });

  it('keeps Function limits and defaults (memoryMB 128..10240, default 128)', () => {
    expect(specOf('Function').properties!.memoryMB).toEqual({ type: 'integer', minimum: 128, maximum: 10240, default: 128 });
    expect(specOf('Function').required).toEqual(['runtime', 'code']);
    expect(specOf('Function').properties!.runtime).toEqual({ type: 'string', enum: ['nodejs20', 'python3.11', 'provided'] });
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
});

describe('toCrdSchema', () => {
  it('turns unions of literals into enums and numeric exclusive bounds into OpenAPI v3 booleans', () => {
    expect(toCrdSchema(Type.Union([Type.Literal('a'), Type.Literal('b')]))).toEqual({ type: 'string', enum: ['a', 'b'] });
    expect(toCrdSchema(Type.Number({ exclusiveMinimum: 0 }))).toEqual({ type: 'number', minimum: 0, exclusiveMinimum: true });
    expect(toCrdSchema(StringEnum(['x'] as const, { $id: 'X' }))).toEqual({ type: 'string', enum: ['x'] });
    expect(toCrdSchema(StringMap(Type.Integer()))).toEqual({ type: 'object', additionalProperties: { type: 'integer' } });
  });

  it('refuses what a structural schema cannot say', () => {
    expect(() => toCrdSchema(Type.Union([Type.String(), Type.Object({})]))).toThrow(/anyOf/);
    expect(() => toCrdSchema(Type.Any())).toThrow(/type/);
    expect(() => toCrdSchema(Type.Object({ a: Type.Not(Type.String()) }))).toThrow(/\$\.a: cannot express not/);
  });
});
