// The Alias and FunctionVersion kinds: names, version references, routing weights, defaults, object names.
import { aliasObjectName, type Alias } from '../../src/api/alias.js';
import { functionVersionObjectName, type FunctionVersion } from '../../src/api/function-version.js';
import { checkObject } from '../../src/api/parse.js';

const alias = (spec: Record<string, unknown>, name = 'hello-live') => ({
  apiVersion: 'klambda.dev/v1alpha1', kind: 'Alias', metadata: { name }, spec: { functionName: 'hello', functionVersion: '1', ...spec },
});

function problems(value: unknown): string[] {
  const r = checkObject(value);
  return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
}

describe('Alias', () => {
  it('defaults the name to metadata.name and provisionedConcurrency to 0', () => {
    const r = checkObject(alias({}, 'live'));
    expect(r.ok && (r.object as Alias).spec).toEqual({ functionName: 'hello', functionVersion: '1', name: 'live', provisionedConcurrency: 0 });
  });

  it.each(['live', 'Prod_2', 'v1-beta', 'a'.repeat(128)])('accepts the alias name %p', (name) => {
    expect(problems(alias({ name }))).toEqual([]);
  });

  it.each([
    ['$LATEST', /^spec.name: must match/],
    ['123', /^spec.name: must not be all digits/],
    ['with space', /^spec.name: must match/],
    ['a'.repeat(129), /^spec.name: must be at most 128 characters, got 129/],
  ])('refuses the alias name %p', (name, message) => {
    const p = problems(alias({ name }));
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(message);
  });

  it.each(['$LATEST', '1', '42'])('points at %p', (functionVersion) => {
    expect(problems(alias({ functionVersion }))).toEqual([]);
  });

  it.each(['0', 'latest', '1.0', '01'])('refuses functionVersion %p', (functionVersion) => {
    expect(problems(alias({ functionVersion }))[0]).toMatch(/^spec.functionVersion: must match/);
  });

  it('says to quote a version written as a number', () => {
    expect(problems(alias({ functionVersion: 1 }))).toEqual(['spec.functionVersion: must be a string, got 1 (quote it: "1")']);
  });

  it('refuses a negative provisionedConcurrency', () => {
    expect(problems(alias({ provisionedConcurrency: -1 }))).toEqual(['spec.provisionedConcurrency: must be >= 0, got -1']);
  });
});

describe('Alias async (its event invoke config)', () => {
  it('is absent unless written; written, its limits get their defaults', () => {
    const none = checkObject(alias({}));
    expect(none.ok && (none.object as Alias).spec.async).toBeUndefined();
    const some = checkObject(alias({ async: { onFailure: { queue: 'failed' } } }));
    expect(some.ok && (some.object as Alias).spec.async).toEqual({ maximumRetryAttempts: 2, maximumEventAgeSeconds: 21600, onFailure: { queue: 'failed' } });
  });

  it('refuses limits out of range, a destination of two kinds, and a dead letter (the function version has that)', () => {
    expect(problems(alias({ async: { maximumRetryAttempts: 3 } }))).toEqual(['spec.async.maximumRetryAttempts: must be <= 2, got 3']);
    expect(problems(alias({ async: { maximumEventAgeSeconds: 59 } }))).toEqual(['spec.async.maximumEventAgeSeconds: must be >= 60, got 59']);
    expect(problems(alias({ async: { onSuccess: { function: 'a', topic: 'b' } } })))
      .toEqual(['spec.async.onSuccess: a destination needs exactly one of function, topic, eventBus, queue; got function and topic']);
    expect(problems(alias({ async: { deadLetter: { queue: 'dlq' } } }))[0]).toMatch(/^spec.async/);
  });
});

describe('Alias routing weights', () => {
  const weights = (w: Record<string, unknown>, functionVersion = '1') => alias({ functionVersion, routingConfig: { additionalVersionWeights: w } });

  it('accepts one extra version with a weight from 0 to 1', () => {
    expect(problems(weights({ 2: 0.1 }))).toEqual([]);
    expect(problems(weights({ 2: 0 }))).toEqual([]);
    expect(problems(weights({ 2: 1 }))).toEqual([]);
    expect(problems(alias({ routingConfig: {} }))).toEqual([]);
  });

  it('refuses two extra versions', () => {
    expect(problems(weights({ 2: 0.1, 3: 0.1 }))).toEqual(['spec.routingConfig.additionalVersionWeights: must have at most 1 entry, got 2']);
  });

  it('refuses a weight of 1.5, or below 0', () => {
    expect(problems(weights({ 2: 1.5 }))).toEqual(['spec.routingConfig.additionalVersionWeights["2"]: must be <= 1, got 1.5']);
    expect(problems(weights({ 2: -0.1 }))).toEqual(['spec.routingConfig.additionalVersionWeights["2"]: must be >= 0, got -0.1']);
  });

  it('refuses a version that is not a number', () => {
    expect(problems(weights({ canary: 0.1 }))).toEqual(['spec.routingConfig.additionalVersionWeights["canary"]: the extra version must be a published version number, got "canary"']);
    expect(problems(weights({ $LATEST: 0.1 }))).toEqual(['spec.routingConfig.additionalVersionWeights["$LATEST"]: the extra version must be a published version number, got "$LATEST"']);
  });

  it('refuses the alias own version as the extra one, and $LATEST as the main one', () => {
    expect(problems(weights({ 1: 0.1 }))).toEqual(['spec.routingConfig.additionalVersionWeights["1"]: the extra version must differ from functionVersion (1)']);
    expect(problems(weights({ 2: 0.1 }, '$LATEST'))).toEqual(['spec.functionVersion: must be a published version when routingConfig sends traffic to a second version, not $LATEST']);
  });

  it('refuses a weight that is not a number', () => {
    expect(problems(weights({ 2: 'half' }))).toEqual(['spec.routingConfig.additionalVersionWeights["2"]: must be a number, got "half"']);
  });
});

describe('FunctionVersion', () => {
  const sha = 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=';
  const fv = (spec: Record<string, unknown>) => ({
    apiVersion: 'klambda.dev/v1alpha1', kind: 'FunctionVersion', metadata: { name: 'hello-v1' },
    spec: { functionName: 'hello', version: '1', codeSha256: sha, function: { runtime: 'nodejs20', handler: 'index.handler', code: { inline: { 'index.mjs': '' } } }, ...spec },
  });

  it('fills the defaults of its snapshot', () => {
    const r = checkObject(fv({}));
    expect(r.ok && (r.object as FunctionVersion).spec.function).toMatchObject({ memoryMB: 128, timeoutSeconds: 3, async: { maximumRetryAttempts: 2 } });
  });

  it('checks the version number, the digest, and the snapshot like a Function spec', () => {
    expect(problems(fv({ version: '0', codeSha256: 'abc', function: { runtime: 'nodejs20', handler: 'index.handler', code: {}, publish: true, memoryMB: 1 } }))).toEqual([
      'spec.version: must match ^[1-9][0-9]*$, got "0"',
      'spec.codeSha256: must match ^[A-Za-z0-9+/]{43}=$, got "abc"',
      'spec.function.publish: unknown field; known fields: runtime, handler, code, memoryMB, timeoutSeconds, ephemeralStorageMB, environment, secretEnvironment, serviceAccountName, networking, reservedConcurrency, async, description, layers',
      'spec.function.memoryMB: must be >= 128, got 1',
      'spec.function.code: the code needs exactly one of inline, configMap, path, s3, image; none is set',
    ]);
  });
});

describe('object names we generate', () => {
  it('are DNS labels, made unique with a hash when the name had to change', () => {
    expect(functionVersionObjectName('hello', '12')).toBe('hello-v12');
    expect(aliasObjectName('hello', 'live')).toBe('hello-live');
    const odd = aliasObjectName('hello', 'Live_2');
    expect(odd).toMatch(/^hello-live-2-[0-9a-f]{8}$/);
    expect(aliasObjectName('hello', 'live-2')).not.toBe(odd);
    const long = functionVersionObjectName('x'.repeat(63), '1');
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });
});
