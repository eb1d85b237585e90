// Publishing: a new version only when the code digest or the configuration changed; versions ordered by number.
import { checkObject } from '../../src/api/parse.js';
import type { FunctionConfig, KlambdaFunction } from '../../src/api/function.js';
import { latestOf, planPublish, type PublishedVersion } from '../../src/api/publish.js';

function config(extra: Record<string, unknown> = {}): FunctionConfig {
  const spec = { runtime: 'nodejs20', handler: 'index.handler', code: { inline: { 'index.mjs': 'x' } }, environment: { A: '1', B: '2' }, ...extra };
  const r = checkObject({ apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', metadata: { name: 'hello' }, spec });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return (r.object as KlambdaFunction).spec; // with the schema's defaults
}

/** The same value with every object's keys in reverse order. */
function reversed<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reversed) as T;
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversed(v)])) as T;
}

const v = (version: string, codeSha256 = 'sha-a', fn = config()): PublishedVersion => ({ version, codeSha256, function: fn });

describe('planPublish', () => {
  it('makes version 1 on the first publish', () => {
    expect(planPublish(undefined, 'sha-a', config())).toEqual({ create: true, version: '1' });
  });

  it('answers the latest version when neither the digest nor the config changed', () => {
    expect(planPublish(v('3'), 'sha-a', config())).toEqual({ create: false, version: '3' });
  });

  it('makes the next version when only the config changed', () => {
    expect(planPublish(v('3'), 'sha-a', config({ memoryMB: 256 }))).toEqual({ create: true, version: '4' });
  });

  it('makes the next version when only the code digest changed', () => {
    expect(planPublish(v('9'), 'sha-b', config())).toEqual({ create: true, version: '10' });
  });

  it('does not care about the order of keys in the config', () => {
    const c = config();
    expect(Object.keys(reversed(c))).not.toEqual(Object.keys(c));
    expect(planPublish(v('2', 'sha-a', c), 'sha-a', reversed(c))).toEqual({ create: false, version: '2' });
  });
});

describe('latestOf', () => {
  it('picks the highest version by number, not by string', () => {
    expect(latestOf([v('9'), v('10'), v('2')])?.version).toBe('10');
  });

  it('has nothing to pick from no versions', () => {
    expect(latestOf([])).toBeUndefined();
  });
});
