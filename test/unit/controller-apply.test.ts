// The hashes behind ensureOwned: what we asked for, and what the API server stored minus the fields others own.
import { canonicalJson, contentHash, desiredHash } from '../../src/controller/apply.js';
import type { KubeObject } from '../../src/kube/objects.js';

const deployment = (replicas: number, image = 'agent:1', extra: Record<string, unknown> = {}): KubeObject & Record<string, unknown> => ({
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name: 'hello-v1', namespace: 'team-a', resourceVersion: '1', annotations: {} },
  spec: { replicas, template: { spec: { containers: [{ name: 'agent', image }] } } },
  ...extra,
});

describe('desiredHash', () => {
  it('is the same for equal content, a new object each time', () => {
    expect(desiredHash(deployment(1))).toBe(desiredHash(deployment(1)));
    expect(desiredHash(deployment(1))).toMatch(/^[0-9a-f]{16}$/);
  });

  it('changes with the content', () => {
    expect(desiredHash(deployment(1, 'agent:2'))).not.toBe(desiredHash(deployment(1)));
    expect(desiredHash(deployment(2))).not.toBe(desiredHash(deployment(1)));
  });
});

describe('contentHash', () => {
  it('ignores metadata and status', () => {
    const edited = deployment(1, 'agent:1', { status: { readyReplicas: 1 } });
    edited.metadata = { name: 'hello-v1', namespace: 'team-a', resourceVersion: '2', annotations: { note: 'x' } };
    expect(contentHash(edited)).toBe(contentHash(deployment(1)));
  });

  it('ignores a Deployment\'s replicas, which the scaler owns', () => {
    expect(contentHash(deployment(5))).toBe(contentHash(deployment(0)));
  });

  it('notices a change to any other spec field', () => {
    expect(contentHash(deployment(1, 'someone-else:1'))).not.toBe(contentHash(deployment(1)));
  });

  it('covers content outside spec, such as a ConfigMap\'s data', () => {
    const cm = (value: string): KubeObject & { data: Record<string, string> } => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { 'index.mjs': value } });
    expect(contentHash(cm('a'))).not.toBe(contentHash(cm('b')));
  });
});

describe('canonicalJson', () => {
  it('does not depend on key order, at any depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: 'x' } })).toBe(canonicalJson({ a: { c: 'x', d: [1, { x: 1, y: 2 }] }, b: 1 }));
    expect(desiredHash({ b: 1, a: 2 })).toBe(desiredHash({ a: 2, b: 1 }));
  });

  it('keeps array order and drops undefined fields like JSON does', () => {
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
  });
});
