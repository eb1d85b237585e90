// Parsing manifest texts: multi-document YAML and JSON, ConfigMaps, Secrets, and errors that name file, document, line, path, reason.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManifestError } from '../../src/api/errors.js';
import { checkObject, deeperThan, MAX_NESTING, parseManifestDocuments, parseManifests, pathKeys } from '../../src/api/parse.js';
import { secretValue, type Secret } from '../../src/api/secret.js';
import { isManifestPath } from '../../src/local/manifest-loader.js';

const hello = `apiVersion: klambda.dev/v1alpha1
kind: Function
metadata: {name: hello}
spec:
  runtime: nodejs20
  handler: index.handler
  code:
    inline:
      index.mjs: |
        export const handler = async () => 1;
`;

function manifestError(fn: () => unknown): ManifestError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ManifestError) return err;
    throw err;
  }
  throw new Error('expected a ManifestError');
}

describe('parseManifests', () => {
  it('reads every kind of a multi-document file, with defaults', () => {
    const text = `${hello}---
apiVersion: klambda.dev/v1alpha1
kind: Alias
metadata: {name: live}
spec: {functionName: hello, functionVersion: "1"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: resize-code, namespace: media}
data: {app.py: "def handler(e, c): return 1"}
---
`;
    const objs = parseManifests(text, 'all.yaml');
    expect(objs.map((o) => o.kind)).toEqual(['Function', 'Alias', 'ConfigMap']);
    expect(objs[0]).toMatchObject({ metadata: { name: 'hello', namespace: 'default' }, spec: { memoryMB: 128, code: { inline: { 'index.mjs': 'export const handler = async () => 1;\n' } } } });
    expect(objs[1]).toMatchObject({ spec: { name: 'live', provisionedConcurrency: 0 } });
    expect(objs[2]).toMatchObject({ metadata: { namespace: 'media' }, data: { 'app.py': 'def handler(e, c): return 1' } });
  });

  it('reads JSON, and counts documents from 1 including empty ones', () => {
    const json = JSON.stringify({ apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', metadata: { name: 'j' }, spec: { runtime: 'provided', code: { image: 'r/app:1' } } });
    expect(parseManifests(json, 'f.json')[0]).toMatchObject({ spec: { handler: 'bootstrap', code: { image: 'r/app:1' } } });
    const docs = parseManifestDocuments(`---\n# nothing\n---\n${hello}`, 'x.yaml');
    expect(docs.map((d) => d.document)).toEqual([2]);
    expect(parseManifests('', 'empty.yaml')).toEqual([]);
  });

  it('names the file, document, line, field path and reason of a problem', () => {
    const err = manifestError(() => parseManifests(`${hello}  memoryMB: 64\n`, 'fns/hello.yaml'));
    expect(err.issues).toEqual([{ source: 'fns/hello.yaml', document: 1, path: 'spec.memoryMB', message: 'must be >= 128, got 64', line: 11 }]);
    expect(err.message).toBe('fns/hello.yaml (document 1, line 11): spec.memoryMB: must be >= 128, got 64');
    expect(err).toMatchObject({ statusCode: 400, awsType: 'InvalidParameterValueException' });
  });

  it('reports an unknown field rather than ignoring it', () => {
    const err = manifestError(() => parseManifests(`${hello}  memoryMb: 256\n`, 'a.yaml'));
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]).toMatchObject({ path: 'spec.memoryMb', line: 11 });
    expect(err.issues[0]!.message).toMatch(/^unknown field \(did you mean memoryMB\?\)/);
  });

  it('reports the problems of every document at once', () => {
    const text = `${hello}  timeoutSeconds: 0\n  runtime2: x\n---\napiVersion: klambda.dev/v1alpha1\nkind: Alias\nmetadata: {name: Live}\nspec: {functionName: hello, functionVersion: "1", routingConfig: {additionalVersionWeights: {"2": 1.5}}}\n`;
    const err = manifestError(() => parseManifests(text, 'many.yaml'));
    expect(err.issues.map((i) => `${i.document} ${i.path}`)).toEqual([
      '1 spec.runtime2',
      '1 spec.timeoutSeconds',
      '2 metadata.name',
      '2 spec.routingConfig.additionalVersionWeights["2"]',
    ]);
    expect(err.message.split('\n')[0]).toBe('4 problems in the manifests:');
    expect(err.message).toContain('many.yaml (document 2, line 17): spec.routingConfig.additionalVersionWeights["2"]: must be <= 1, got 1.5');
  });

  it('names an unknown kind and lists ours', () => {
    const err = manifestError(() => parseManifests('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n', 'd.yaml'));
    expect(err.issues).toEqual([{
      source: 'd.yaml', document: 1, path: 'kind', line: 2,
      message: 'unknown kind "Deployment" (apiVersion "apps/v1"); klambda reads Function, FunctionVersion, Alias, Topic, EventRule, EventSourceMapping, Layer, BucketNotification (klambda.dev/v1alpha1) and ConfigMap, Secret (v1)',
    }]);
  });

  it('refuses our kind under another apiVersion, a missing kind, and a document that is not a map', () => {
    expect(manifestError(() => parseManifests(hello.replace('klambda.dev/v1alpha1', 'klambda.dev/v1'), 'a.yaml')).issues[0])
      .toMatchObject({ path: 'apiVersion', message: 'must be klambda.dev/v1alpha1 for kind Function, got "klambda.dev/v1"' });
    expect(manifestError(() => parseManifests('apiVersion: v1\nmetadata: {name: x}\n', 'b.yaml')).issues[0]).toMatchObject({ path: 'kind' });
    expect(manifestError(() => parseManifests('- a\n- b\n', 'c.yaml')).issues[0]).toMatchObject({ path: '', message: 'a manifest must be a map with apiVersion, kind and metadata, got a list' });
  });

  it('reports YAML syntax errors with their line', () => {
    const err = manifestError(() => parseManifests(`${hello}---\nkind: [Function\n`, 'bad.yaml'));
    expect(err.issues[0]).toMatchObject({ source: 'bad.yaml', document: 2, path: '' });
    expect(err.issues[0]!.message).toMatch(/^not valid YAML: /);
    expect(err.issues[0]!.line).toBeGreaterThanOrEqual(12);
  });

  it('refuses a duplicate key in a map', () => {
    const err = manifestError(() => parseManifests(`${hello}  memoryMB: 256\n  memoryMB: 512\n`, 'dup.yaml'));
    expect(err.issues[0]!.message).toMatch(/not valid YAML: .*unique/i);
  });

  it('reads a Topic, an EventRule and an EventSourceMapping, and points at the line of a problem in a list', () => {
    const text = `apiVersion: klambda.dev/v1alpha1
kind: Topic
metadata: {name: orders}
spec:
  subscriptions:
    - {protocol: lambda, endpoint: billing}
    - protocol: http
      endpoint: https://hooks.example.com
---
apiVersion: klambda.dev/v1alpha1
kind: EventRule
metadata: {name: tick}
spec: {scheduleExpression: "rate(1 minute)", targets: [{id: t, function: billing}]}
---
apiVersion: klambda.dev/v1alpha1
kind: EventSourceMapping
metadata: {name: jobs}
spec: {source: {queue: jobs}, functionName: billing}
`;
    const err = manifestError(() => parseManifests(text, 'events.yaml'));
    expect(err.issues).toEqual([{
      source: 'events.yaml', document: 1, line: 8, path: 'spec.subscriptions[1].endpoint',
      message: 'an http endpoint must be an http:// URL, got "https://hooks.example.com"',
    }]);
    const objs = parseManifests(text.replace('http\n', 'https\n'), 'events.yaml');
    expect(objs.map((o) => o.kind)).toEqual(['Topic', 'EventRule', 'EventSourceMapping']);
    expect(objs[1]).toMatchObject({ spec: { eventBusName: 'default', state: 'ENABLED' } });
    expect(objs[2]).toMatchObject({ spec: { batchSize: 100, enabled: true } });
  });

  it('reads every sample in config/samples', () => {
    const dir = join(process.cwd(), 'config', 'samples');
    // kustomization.yaml is kustomize's, not a manifest (klambda dev skips it too)
    const files = readdirSync(dir).filter((f) => isManifestPath(f)).sort();
    const kinds = files.flatMap((f) => parseManifests(readFileSync(join(dir, f), 'utf8'), f).map((o) => o.kind));
    expect(kinds.sort()).toEqual(['Alias', 'EventRule', 'EventSourceMapping', 'Function', 'Topic']);
    expect(files).not.toContain('kustomization.yaml');
    expect(['kustomization.yaml', 'kustomization.yml', 'Kustomization'].map(isManifestPath)).toEqual([false, false, false]);
  });

  it('checks ConfigMap keys and fields', () => {
    const err = manifestError(() => parseManifests('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {"..": x, "a/b": y}\nbinary: {}\n', 'cm.yaml'));
    expect(err.issues.map((i) => i.path)).toEqual(['binary', 'data[".."]', 'data["a/b"]']);
  });
});

describe('Secrets', () => {
  it('reads data (base64) and stringData, stringData over data', () => {
    const [obj] = parseManifests('apiVersion: v1\nkind: Secret\nmetadata: {name: db-credentials}\ntype: Opaque\ndata: {password: aHVudGVyMg==, user: YWRtaW4=}\nstringData: {user: root}\n', 's.yaml');
    expect(obj).toMatchObject({ kind: 'Secret', metadata: { name: 'db-credentials', namespace: 'default' } });
    expect(secretValue(obj as Secret, 'password')).toBe('hunter2');
    expect(secretValue(obj as Secret, 'user')).toBe('root');
    expect(secretValue(obj as Secret, 'missing')).toBeUndefined();
  });

  it('checks keys and base64 and never shows a value in a problem', () => {
    const err = manifestError(() => parseManifests('apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {"a/b": eA==, pw: "not base64 hunter2!"}\nstringData: {port: 5432, token: {deep: hunter3}}\n', 's.yaml'));
    expect(err.issues.map((i) => i.path)).toEqual(['stringData.port', 'stringData.token', 'data["a/b"]', 'data["pw"]']);
    const text = err.issues.map((i) => i.message).join('\n');
    expect(text).not.toMatch(/hunter|5432/);
  });
});

describe('pathKeys', () => {
  it('splits dotted paths with bracketed keys', () => {
    expect(pathKeys('spec.code.inline["index.mjs"]')).toEqual(['spec', 'code', 'inline', 'index.mjs']);
    expect(pathKeys('spec.routingConfig.additionalVersionWeights["2"]')).toEqual(['spec', 'routingConfig', 'additionalVersionWeights', '2']);
    expect(pathKeys('spec.targets[0].inputTransformer.inputPathsMap["a.b"]')).toEqual(['spec', 'targets', '0', 'inputTransformer', 'inputPathsMap', 'a.b']);
    expect(pathKeys('')).toEqual([]);
  });
});

describe('nesting', () => {
  it('refuses a manifest nested deeper than MAX_NESTING with one issue, without overflowing the stack', () => {
    let pattern: Record<string, unknown> = { leaf: ['x'] };
    for (let i = 0; i < 20_000; i++) pattern = { a: pattern };
    const result = checkObject({ apiVersion: 'klambda.dev/v1alpha1', kind: 'EventRule', metadata: { name: 'deep' }, spec: { eventPattern: pattern } });
    expect(result).toEqual({ ok: false, issues: [{ path: '', message: `is nested more than ${MAX_NESTING} levels deep` }] });
  });

  it('counts maps and lists alike, and leaves shallow objects alone', () => {
    expect(deeperThan({ a: [{ b: [1] }] }, 3)).toBe(false);
    expect(deeperThan({ a: [{ b: [{ c: 1 }] }] }, 3)).toBe(true);
    expect(deeperThan('text', 0)).toBe(false);
  });
});
