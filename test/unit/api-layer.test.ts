// The Layer kind (its versions, each with one code source) and a Function's spec.layers.
import { checkObject } from '../../src/api/parse.js';
import { lastLayerVersion, type Layer } from '../../src/api/layer.js';

const layer = (versions: unknown[], annotations?: Record<string, string>) => ({
  apiVersion: 'klambda.dev/v1alpha1', kind: 'Layer', metadata: { name: 'shared', ...(annotations ? { annotations } : {}) }, spec: { versions },
});
const fn = (layers: unknown) => ({
  apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', metadata: { name: 'hello' },
  spec: { runtime: 'nodejs20', handler: 'index.handler', code: { inline: { 'index.mjs': 'export const handler = async () => 1;' } }, layers },
});

function problems(value: unknown): string[] {
  const r = checkObject(value);
  return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
}

describe('Layer', () => {
  it('holds versions, each a folder or zip beside the manifest (local) or an S3 object (cluster)', () => {
    const r = checkObject(layer([
      { version: 1, code: { path: 'shared.layer.v1.zip' }, compatibleRuntimes: ['nodejs20.x'], compatibleArchitectures: ['x86_64'], licenseInfo: 'MIT', createdDate: '2024-05-01T12:00:00.000Z' },
      { version: 2, description: 'two', code: { s3: { bucket: 'layers', key: 'shared/2.zip' } }, codeSha256: `${'A'.repeat(43)}=` },
    ]));
    expect(r.ok).toBe(true);
    expect((r as { object: Layer }).object.metadata.namespace).toBe('default');
    expect(checkObject(layer([])).ok).toBe(true);
  });

  it('refuses a version with no code or two, a number twice, a bad number, date or architecture', () => {
    expect(problems(layer([
      { version: 1, code: {} },
      { version: 2, code: { path: 'a', s3: { bucket: 'bkt', key: 'k' } } },
      { version: 2, code: { path: 'b' }, createdDate: 'yesterday' },
      { version: 0, code: { path: 'c' }, compatibleArchitectures: ['sparc'] },
    ]))).toEqual([
      'spec.versions[3].version: must be >= 1, got 0',
      'spec.versions[3].compatibleArchitectures[0]: must be one of x86_64, arm64, got "sparc"',
      'spec.versions[0].code: a layer version needs exactly one of path, s3; none is set',
      'spec.versions[1].code: a layer version needs exactly one of path, s3; got path and s3',
      'spec.versions[2].createdDate: must be an ISO 8601 time (e.g. 2024-05-01T12:00:00.000Z), got "yesterday"',
      'spec.versions[2].version: version 2 is listed twice (also versions[1])',
    ]);
    expect(problems(layer([{ version: 1, code: { path: 'a', inline: {} } }]))[0]).toMatch(/^spec\.versions\[0\]\.code\.inline: unknown field; known fields: path, s3/);
  });

  it('never numbers a version twice: the highest it had is kept when that one is deleted', () => {
    const parsed = (v: unknown[], a?: Record<string, string>) => (checkObject(layer(v, a)) as { object: Layer }).object;
    expect(lastLayerVersion(parsed([{ version: 1, code: { path: 'a' } }, { version: 3, code: { path: 'b' } }]))).toBe(3);
    expect(lastLayerVersion(parsed([{ version: 1, code: { path: 'a' } }], { 'klambda.dev/last-layer-version': '4' }))).toBe(4);
    expect(lastLayerVersion(parsed([]))).toBe(0);
  });
});

describe("a Function's layers", () => {
  it('names up to five layer versions, as name:version or an ARN', () => {
    expect(problems(fn(['shared:1', 'arn:aws:lambda:us-east-1:000000000000:layer:tools:12']))).toEqual([]);
    expect(problems(fn(['a:1', 'b:1', 'c:1', 'd:1', 'e:1', 'f:1']))).toEqual(['spec.layers: must have at most 5 items, got 6']);
    expect(problems(fn(['shared']))).toEqual([
      'spec.layers[0]: must be a layer version: name:version (e.g. shared:3) or its ARN (arn:aws:lambda:us-east-1:000000000000:layer:shared:3), got "shared"',
    ]);
    expect(problems(fn(['Shared:1', 'arn:aws:lambda:us-east-1:000000000000:layer:shared']))).toHaveLength(2);
  });
});
