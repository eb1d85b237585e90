// config/ (kustomize, as kubebuilder lays it out) is what the chart installs with default values: its generated files
// are up to date with the chart and crds/, and `kubectl kustomize config/default` (the real kubectl) renders the
// objects of `helm template --include-crds`, modulo helm's labels, plus the Namespace.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { configFiles, parseDocs, withoutHelmLabels, type KubeDoc } from '../../scripts/config-from-chart.js';
import { repoRoot, templateChart } from '../../scripts/helm-binary.js';
import { kubectlOk } from '../helpers/kubectl.js';

const STALE = 'stale: run `npm run config`';

it('keeps config/crd/bases equal to crds/, and lists every one in its kustomization', () => {
  const files = readdirSync(join(repoRoot, 'crds')).filter((f) => f.endsWith('.yaml')).sort();
  expect(readdirSync(join(repoRoot, 'config', 'crd', 'bases')).sort()).toEqual(files);
  for (const f of files) {
    expect([f, readFileSync(join(repoRoot, 'config', 'crd', 'bases', f), 'utf8')]).toEqual([f, readFileSync(join(repoRoot, 'crds', f), 'utf8')]);
  }
  const k = parse(readFileSync(join(repoRoot, 'config', 'crd', 'kustomization.yaml'), 'utf8')) as { resources: string[] };
  expect(k.resources.sort()).toEqual(files.map((f) => `bases/${f}`));
});

it('keeps config/rbac, config/manager and config/grafana equal to what the chart renders', () => {
  for (const [file, content] of configFiles(templateChart())) {
    expect([file, readFileSync(join(repoRoot, 'config', file), 'utf8'), STALE]).toEqual([file, content, STALE]);
  }
});

describe('kubectl kustomize config/default', () => {
  let dir: string;
  let rendered: KubeDoc[];
  beforeAll(() => {
    // a copy, as a user's checkout: redis-secret.sh and code-store-secret.sh write their keys beside the kustomization
    dir = mkdtempSync(join(tmpdir(), 'klambda-config-'));
    cpSync(join(repoRoot, 'config'), join(dir, 'config'), { recursive: true });
    for (const made of ['redis-secret', 'code-store-secret']) {
      rmSync(join(dir, 'config', 'default', made), { recursive: true, force: true });
      const r = spawnSync('sh', [join(dir, 'config', 'default', `${made}.sh`)], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);
    }
    rendered = parseDocs(kubectlOk(['kustomize', join(dir, 'config', 'default')]));
  }, 10 * 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const key = (d: KubeDoc) => `${d.kind}/${d.metadata.namespace ?? ''}/${d.metadata.name}`;

  it('renders every object of the chart (default values, CRDs included), the same but for helm\'s labels, and the Namespace', () => {
    const chart = parseDocs(templateChart(['--include-crds'])).map(withoutHelmLabels);
    const byKey = new Map(rendered.map((d) => [key(d), d]));
    expect([...byKey.keys()].sort()).toEqual([...chart.map(key), 'Namespace//klambda-system'].sort());
    for (const obj of chart.filter((d) => d.kind !== 'Secret')) expect(byKey.get(key(obj))).toEqual(obj);
    expect(byKey.get('Namespace//klambda-system')?.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it('makes the Redis Secret with the keys the pods read, and the chart\'s redis.conf but for the passwords\' hashes', () => {
    const secret = rendered.find((d) => d.kind === 'Secret' && d.metadata.name === 'klambda-redis') as KubeDoc & { data: Record<string, string> };
    const chart = parseDocs(templateChart()).find((d) => d.kind === 'Secret' && d.metadata.name === 'klambda-redis') as KubeDoc & { stringData: Record<string, string> };
    expect(secret.metadata).toMatchObject({ name: 'klambda-redis', namespace: 'klambda-system' });
    expect(Object.keys(secret.data).sort()).toEqual(Object.keys(chart.stringData).sort());
    const lines = (conf: string) => conf.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.replace(/#[0-9a-f]{64}/, '#HASH'));
    expect(lines(Buffer.from(secret.data['redis.conf']!, 'base64').toString())).toEqual(lines(chart.stringData['redis.conf']!));
    // fresh passwords of its own, not the chart's or anybody's
    expect(Buffer.from(secret.data['router-password']!, 'base64').toString()).toMatch(/^[0-9a-f]{48}$/);
  });

  it('makes the code store\'s Secret with the chart\'s keys, and users.json with the reader as the chart writes it', () => {
    const secret = rendered.find((d) => d.kind === 'Secret' && d.metadata.name === 'klambda-code-store') as KubeDoc & { data: Record<string, string> };
    const chart = parseDocs(templateChart()).find((d) => d.kind === 'Secret' && d.metadata.name === 'klambda-code-store') as KubeDoc & { stringData: Record<string, string> };
    expect(secret.metadata).toMatchObject({ namespace: 'klambda-system', labels: { 'app.kubernetes.io/component': 'code-store' } });
    expect(Object.keys(secret.data).sort()).toEqual(Object.keys(chart.stringData).sort());
    const v = Object.fromEntries(Object.entries(secret.data).map(([k, b]) => [k, Buffer.from(b, 'base64').toString()]));
    expect([v.accessKeyId, v.readerAccessKeyId]).toEqual([expect.stringMatching(/^[A-Za-z0-9]{20}$/), expect.stringMatching(/^[A-Za-z0-9]{20}$/)]);
    expect(v.readerSecretAccessKey).toMatch(/^[A-Za-z0-9]{40}$/);
    // the same document as the chart's, for this reader
    const reader = (s: Record<string, string>) => s['users.json']!.replaceAll(s.readerAccessKeyId!, 'KEY').replace(s.readerSecretAccessKey!, 'SECRET');
    expect(reader(v)).toBe(reader(chart.stringData));
  });
});
