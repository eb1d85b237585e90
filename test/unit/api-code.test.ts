// Code digests (AWS's CodeSha256) and the self-contained configuration a FunctionVersion keeps.
import { createHash } from 'node:crypto';
import { codeSha256, resolveCode, sameJson, versionConfig } from '../../src/api/code.js';
import type { ConfigMap } from '../../src/api/config-map.js';
import { ResourceNotFoundError } from '../../src/api/errors.js';
import { checkObject } from '../../src/api/parse.js';
import type { KlambdaFunction } from '../../src/api/function.js';

const files = (f: Record<string, string>) => ({ kind: 'files' as const, files: f });
const cm = (data: Record<string, string>): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'code', namespace: 'default' }, data });

describe('codeSha256', () => {
  it('is base64 SHA-256, independent of the order files are listed in', () => {
    const a = codeSha256(files({ 'a.js': '1', 'b.js': '2' }));
    expect(a).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(codeSha256(files({ 'b.js': '2', 'a.js': '1' }))).toBe(a);
  });

  it('changes with any name or content, and cannot be fooled by moving bytes between them', () => {
    const a = codeSha256(files({ ab: 'c' }));
    expect(codeSha256(files({ a: 'bc' }))).not.toBe(a);
    expect(codeSha256(files({ ab: 'd' }))).not.toBe(a);
    expect(codeSha256(files({ a: '', b: 'c' }))).not.toBe(codeSha256(files({ a: 'b', '': 'c' })));
  });

  it('hashes an image by its reference', () => {
    expect(codeSha256({ kind: 'image', image: 'r/app:1' })).toBe(createHash('sha256').update('r/app:1').digest('base64'));
  });

  it('gives the same digest for the same files inline or from a ConfigMap', () => {
    const inline = resolveCode({ inline: { 'app.py': 'x' } }, () => undefined);
    const fromCm = resolveCode({ configMap: { name: 'code' } }, () => cm({ 'app.py': 'x' }));
    expect(codeSha256(fromCm)).toBe(codeSha256(inline));
    expect(() => resolveCode({ configMap: { name: 'missing' } }, () => undefined)).toThrow(ResourceNotFoundError);
  });
});

describe('versionConfig', () => {
  const fn = (code: Record<string, unknown>) => {
    const r = checkObject({ apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', metadata: { name: 'f' }, spec: { runtime: 'python3.11', handler: 'app.handler', code, publish: true } });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    return (r.object as KlambdaFunction).spec;
  };

  it('drops publish and copies ConfigMap code inline, so the version keeps its code', () => {
    const spec = fn({ configMap: { name: 'code' } });
    const config = versionConfig(spec, resolveCode(spec.code, () => cm({ 'app.py': 'x' })));
    expect(config).not.toHaveProperty('publish');
    expect(config.code).toEqual({ inline: { 'app.py': 'x' } });
    expect(config.memoryMB).toBe(128);
  });

  it('compares configurations regardless of key order', () => {
    expect(sameJson({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBe(true);
    expect(sameJson({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameJson([1, 2], [2, 1])).toBe(false);
  });
});
