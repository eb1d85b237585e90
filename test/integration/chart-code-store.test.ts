// The chart's code store through the real helm: versitygw (Deployment, PVC, Service, Secret) by default, nothing of it
// with your own S3; the values schema's codeStore keys; and the rendered Secret on a real versitygw, its users.json
// laid out as the kubelet mounts a Secret: the reader it names reads the bucket through the bucket policy.
import { CreateBucketCommand, GetObjectCommand, PutBucketPolicyCommand, PutObjectCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocs, type KubeDoc } from '../../scripts/config-from-chart.js';
import { runHelm, templateChart } from '../../scripts/helm-binary.js';
import { internalIamUsers, s3Client, startVersityGw } from '../helpers/versitygw.js';

const EXTERNAL = ['--set', 'codeStore.versitygw.enabled=false', '--set', 'codeStore.external.endpoint=https://rgw.example.com:8443',
  '--set', 'codeStore.external.existingSecret=my-s3'];
const CODE_STORE = 'code-store';

const find = (docs: KubeDoc[], kind: string, name: string): KubeDoc => {
  const d = docs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!d) throw new Error(`no ${kind} ${name} in: ${docs.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return d;
};
const ofCodeStore = (docs: KubeDoc[]) => docs.filter((d) => d.metadata.labels?.['app.kubernetes.io/component'] === CODE_STORE);
type SecretDoc = KubeDoc & { stringData: Record<string, string> };
type Container = {
  name: string; image: string; command?: string[]; args?: string[]; securityContext?: Record<string, unknown>;
  env?: Array<{ name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
  ports?: Array<{ name: string; containerPort: number }>; readinessProbe?: { httpGet?: unknown };
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
};
type PodSpec = {
  containers: Container[]; initContainers?: Container[]; securityContext?: Record<string, unknown>;
  volumes: Array<{ name: string; persistentVolumeClaim?: { claimName: string }; secret?: { secretName: string; items?: Array<{ key: string; path: string }> } }>;
};
type DeploymentSpec = { replicas: number; strategy: { type: string }; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };

describe('helm lint --strict', () => {
  it.each([['default values (versitygw)', []], ['your own S3', EXTERNAL]])('passes with %s', (_, extra) => {
    const r = runHelm(['lint', '--strict', 'charts/klambda', ...extra]);
    expect(r.stderr + r.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(r.status).toBe(0);
  });
});

describe('helm template with default values', () => {
  const docs = parseDocs(templateChart());
  const dep = find(docs, 'Deployment', 'klambda-code-store').spec as DeploymentSpec;
  const pod = dep.template.spec;
  const gw = pod.containers[0]!;
  const secret = find(docs, 'Secret', 'klambda-code-store') as SecretDoc;

  it('runs versitygw: a Deployment, its PVC, its Service and its Secret, in the release namespace', () => {
    expect(ofCodeStore(docs).map((d) => `${d.kind}/${d.metadata.name}/${d.metadata.namespace}`).sort()).toEqual([
      'Deployment/klambda-code-store/klambda-system', 'PersistentVolumeClaim/klambda-code-store/klambda-system',
      'Secret/klambda-code-store/klambda-system', 'Service/klambda-code-store/klambda-system',
    ]);
  });

  it('runs one pod of the published image, replaced whole on upgrade (its PVC is ReadWriteOnce)', () => {
    expect([dep.replicas, dep.strategy.type]).toEqual([1, 'Recreate']);
    expect(pod.containers.map((c) => c.image)).toEqual(['ghcr.io/versity/versitygw:v1.8.0']);
    expect(pod.initContainers?.map((c) => [c.image, c.command])).toEqual([['ghcr.io/versity/versitygw:v1.8.0', ['mkdir', '-p', '/data/buckets']]]);
  });

  it('serves the posix backend from the PVC and the internal IAM from the Secret\'s users.json, read-only', () => {
    expect(gw.command).toEqual(['versitygw']);
    expect(gw.args).toEqual(['--port=:7070', '--region=us-east-1', '--iam-dir=/etc/versitygw/iam', '--health=/_/health', '--quiet', 'posix', '/data/buckets']);
    expect(gw.volumeMounts).toEqual([{ name: 'data', mountPath: '/data' }, { name: 'iam', mountPath: '/etc/versitygw/iam', readOnly: true }]);
    expect(pod.volumes.find((v) => v.name === 'data')?.persistentVolumeClaim).toEqual({ claimName: 'klambda-code-store' });
    expect(pod.volumes.find((v) => v.name === 'iam')?.secret).toMatchObject({ secretName: 'klambda-code-store', items: [{ key: 'users.json', path: 'users.json' }] });
    expect(gw.env?.map((e) => [e.name, e.valueFrom?.secretKeyRef])).toEqual([
      ['ROOT_ACCESS_KEY_ID', { name: 'klambda-code-store', key: 'accessKeyId' }],
      ['ROOT_SECRET_ACCESS_KEY', { name: 'klambda-code-store', key: 'secretAccessKey' }],
    ]);
  });

  it('is ready when versitygw answers on the `s3` port, which the Service gives as 7070 to the pod\'s labels', () => {
    expect(gw.ports).toEqual([{ name: 's3', containerPort: 7070 }]);
    expect(gw.readinessProbe?.httpGet).toEqual({ path: '/_/health', port: 's3' });
    const svc = find(docs, 'Service', 'klambda-code-store').spec as { type: string; selector: Record<string, string>; ports: Array<{ name: string; port: number; targetPort: string }> };
    expect(svc.type).toBe('ClusterIP');
    expect(svc.ports).toEqual([{ name: 's3', port: 7070, targetPort: 's3' }]);
    expect(dep.template.metadata.labels).toMatchObject(svc.selector);
    expect(dep.selector.matchLabels).toEqual(svc.selector);
  });

  it('gives the pod and both its containers the restricted Pod Security profile, and the PVC to its group', () => {
    expect(pod.securityContext).toEqual(expect.objectContaining({ runAsNonRoot: true, runAsUser: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } }));
    for (const c of [...pod.containers, ...pod.initContainers!]) {
      expect([c.name, c.securityContext]).toEqual([c.name, {
        allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
      }]);
    }
  });

  it('claims 10Gi, kept when the release is uninstalled', () => {
    const pvc = find(docs, 'PersistentVolumeClaim', 'klambda-code-store') as KubeDoc & { spec: { accessModes: string[]; storageClassName?: string; resources: { requests: { storage: string } } } };
    expect(pvc.metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep' });
    expect(pvc.spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } });
  });

  it('makes the writer\'s and the reader\'s keys, alphanumeric and distinct, and users.json with the reader alone', () => {
    const s = secret.stringData;
    expect(Object.keys(s).sort()).toEqual(['accessKeyId', 'readerAccessKeyId', 'readerSecretAccessKey', 'secretAccessKey', 'users.json']);
    expect([s.accessKeyId, s.readerAccessKeyId]).toEqual([expect.stringMatching(/^[A-Za-z0-9]{20}$/), expect.stringMatching(/^[A-Za-z0-9]{20}$/)]);
    expect([s.secretAccessKey, s.readerSecretAccessKey]).toEqual([expect.stringMatching(/^[A-Za-z0-9]{40}$/), expect.stringMatching(/^[A-Za-z0-9]{40}$/)]);
    expect(s.readerAccessKeyId).not.toBe(s.accessKeyId);
    expect(JSON.parse(s['users.json']!)).toEqual(JSON.parse(internalIamUsers([{ accessKeyId: s.readerAccessKeyId!, secretAccessKey: s.readerSecretAccessKey!, role: 'user' }])));
  });

  it('makes new keys at each render without a release before (helm template has no lookup)', () => {
    const again = (find(parseDocs(templateChart()), 'Secret', 'klambda-code-store') as SecretDoc).stringData;
    expect(again.secretAccessKey).not.toBe(secret.stringData.secretAccessKey);
  });
});

describe('helm template with other values', () => {
  it('uses your own S3 and runs nothing of the code store', () => {
    const docs = parseDocs(templateChart(EXTERNAL));
    expect(ofCodeStore(docs)).toEqual([]);
    expect(docs.filter((d) => d.kind === 'PersistentVolumeClaim' || JSON.stringify(d).includes('versitygw'))).toEqual([]);
  });

  it.each([
    ['without its endpoint', ['--set', 'codeStore.versitygw.enabled=false', '--set', 'codeStore.external.existingSecret=my-s3'], 'codeStore.external.endpoint is required'],
    ['without the Secret of its keys', ['--set', 'codeStore.versitygw.enabled=false', '--set', 'codeStore.external.endpoint=https://s3.example.com'], 'codeStore.external.existingSecret is required'],
    ['while versitygw runs too', ['--set', 'codeStore.external.endpoint=https://s3.example.com'], 'give it with codeStore.versitygw.enabled=false'],
  ])('refuses your own S3 %s', (_, extra, message) => {
    const r = runHelm(['template', 'klambda', 'charts/klambda', ...extra]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(message);
  });

  it('takes keys, image, size, StorageClass, region and resources from values', () => {
    const docs = parseDocs(templateChart([
      '--set', 'codeStore.versitygw.credentials.accessKeyId=WRITER0000000000001', '--set', 'codeStore.versitygw.credentials.readerAccessKeyId=READER0000000000001',
      '--set', 'codeStore.versitygw.image.repository=registry.example.com/versitygw', '--set', 'codeStore.versitygw.image.tag=v9',
      '--set', 'codeStore.versitygw.persistence.size=50Gi', '--set', 'codeStore.versitygw.persistence.storageClass=fast',
      '--set', 'codeStore.region=eu-west-1', '--set', 'codeStore.versitygw.resources.limits.memory=1Gi',
    ], 'fn', 'serverless'));
    const s = (find(docs, 'Secret', 'fn-klambda-code-store') as SecretDoc).stringData;
    expect([s.accessKeyId, s.readerAccessKeyId]).toEqual(['WRITER0000000000001', 'READER0000000000001']);
    expect(s.readerSecretAccessKey).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(Object.keys(JSON.parse(s['users.json']!).accessAccounts)).toEqual(['READER0000000000001']);
    const gw = (find(docs, 'Deployment', 'fn-klambda-code-store').spec as DeploymentSpec).template.spec.containers[0]! as Container & { resources: unknown };
    expect(gw).toMatchObject({ image: 'registry.example.com/versitygw:v9', resources: { limits: { memory: '1Gi' } } });
    expect(gw.args).toContain('--region=eu-west-1');
    expect((find(docs, 'PersistentVolumeClaim', 'fn-klambda-code-store').spec as { storageClassName: string; resources: unknown })).toMatchObject({ storageClassName: 'fast', resources: { requests: { storage: '50Gi' } } });
  });

  it('refuses a reader with the writer\'s access key id', () => {
    const r = runHelm(['template', 'klambda', 'charts/klambda', '--set', 'codeStore.versitygw.credentials.accessKeyId=SAME', '--set', 'codeStore.versitygw.credentials.readerAccessKeyId=SAME']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('the reader\'s access key id must differ from the writer\'s');
  });

  it.each([
    ['an unknown key', ['--set', 'codeStore.versitygw.replicas=2'], "additional properties 'replicas' not allowed"],
    ['an endpoint that is not http(s)://host', ['--set', 'codeStore.external.endpoint=s3.example.com'], '/codeStore/external/endpoint'],
    ['an endpoint with a path', ['--set', 'codeStore.external.endpoint=https://s3.example.com/x'], '/codeStore/external/endpoint'],
    ['a key that is not alphanumeric', ['--set', 'codeStore.versitygw.credentials.secretAccessKey=a/b'], '/codeStore/versitygw/credentials/secretAccessKey'],
    ['a bucket name S3 refuses', ['--set', 'codeStore.bucket=Klambda_Code'], '/codeStore/bucket'],
  ])('refuses %s (values.schema.json)', (_, extra, message) => {
    const r = runHelm(['template', 'klambda', 'charts/klambda', ...extra]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("values don't meet the specifications of the schema");
    expect(r.stderr).toContain(message);
  });
});

describe('the controller and the router on the code store', () => {
  const argsOf = (docs: KubeDoc[], name: string) => (find(docs, 'Deployment', name).spec as DeploymentSpec).template.spec.containers[0]!;
  const secretEnv = (c: Container) => Object.fromEntries((c.env ?? []).filter((e) => e.valueFrom?.secretKeyRef).map((e) => [e.name, e.valueFrom!.secretKeyRef!]));

  it('points both at versitygw with the writer\'s key; the controller alone gets the reader\'s, names it in the bucket policy, and the store\'s pods', () => {
    const docs = parseDocs(templateChart());
    const controller = argsOf(docs, 'klambda-controller');
    const router = argsOf(docs, 'klambda-router');
    for (const c of [controller, router]) {
      expect(c.args).toEqual(expect.arrayContaining(['--code-store-url=http://klambda-code-store.klambda-system.svc:7070', '--code-store-bucket=klambda-code', '--code-store-region=us-east-1']));
      expect(secretEnv(c)).toMatchObject({
        KLAMBDA_CODE_STORE_ACCESS_KEY_ID: { name: 'klambda-code-store', key: 'accessKeyId' },
        KLAMBDA_CODE_STORE_SECRET_ACCESS_KEY: { name: 'klambda-code-store', key: 'secretAccessKey' },
      });
    }
    expect(secretEnv(controller)).toMatchObject({
      KLAMBDA_CODE_STORE_READER_ACCESS_KEY_ID: { name: 'klambda-code-store', key: 'readerAccessKeyId' },
      KLAMBDA_CODE_STORE_READER_SECRET_ACCESS_KEY: { name: 'klambda-code-store', key: 'readerSecretAccessKey' },
    });
    expect(Object.keys(secretEnv(router))).not.toContain('KLAMBDA_CODE_STORE_READER_ACCESS_KEY_ID');
    expect(controller.args).toEqual(expect.arrayContaining([
      '--code-store-reader-principal=$(KLAMBDA_CODE_STORE_READER_ACCESS_KEY_ID)',
      '--code-store-labels=app.kubernetes.io/name=klambda,app.kubernetes.io/instance=klambda,app.kubernetes.io/component=code-store',
    ]));
    // the labels the NetworkPolicy names are the store pods' own
    const pod = (find(docs, 'Deployment', 'klambda-code-store').spec as DeploymentSpec & { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
    expect(pod).toMatchObject({ 'app.kubernetes.io/name': 'klambda', 'app.kubernetes.io/instance': 'klambda', 'app.kubernetes.io/component': 'code-store' });
    // no node cache by default: function pods mount no hostPath (Pod Security baseline and restricted forbid it)
    expect(controller.args!.some((a) => a.startsWith('--package-cache-host-path'))).toBe(false);
    expect(docs.filter((d) => d.kind === 'DaemonSet')).toEqual([]);
  });

  it('uses your own S3 with its Secret, your reader principal, and no store pods to name', () => {
    const docs = parseDocs(templateChart([...EXTERNAL, '--set', 'codeStore.external.readerPrincipal=arn:aws:iam::123456789012:user/klambda-reader']));
    const controller = argsOf(docs, 'klambda-controller');
    expect(controller.args).toEqual(expect.arrayContaining(['--code-store-url=https://rgw.example.com:8443', '--code-store-reader-principal=arn:aws:iam::123456789012:user/klambda-reader', '--code-store-labels=']));
    expect(secretEnv(controller).KLAMBDA_CODE_STORE_ACCESS_KEY_ID).toEqual({ name: 'my-s3', key: 'accessKeyId' });
  });

  it('with nodeCache: the controller gives function pods the host folder, and a DaemonSet gives it to the agents\' uid', () => {
    const docs = parseDocs(templateChart(['--set', 'codeStore.nodeCache.enabled=true', '--set', 'codeStore.nodeCache.hostPath=/srv/klambda-cache']));
    expect(argsOf(docs, 'klambda-controller').args).toContain('--package-cache-host-path=/srv/klambda-cache');
    const ds = find(docs, 'DaemonSet', 'klambda-node-cache').spec as DeploymentSpec & { template: { spec: PodSpec & { volumes: unknown[] } } };
    expect(ds.template.spec.volumes).toEqual([{ name: 'cache', hostPath: { path: '/srv/klambda-cache', type: 'DirectoryOrCreate' } }]);
    expect(ds.template.spec.initContainers![0]!.command!.join(' ')).toContain('fs.chownSync(d, 10001, 10001)');
    expect(ds.template.spec.containers[0]!.securityContext).toMatchObject({ runAsNonRoot: true });
  });
});

describe('the rendered Secret on a real versitygw', () => {
  it('lets the reader of users.json, mounted as the kubelet does, read the bucket through its policy, and nothing more', async () => {
    const s = (find(parseDocs(templateChart()), 'Secret', 'klambda-code-store') as SecretDoc).stringData;
    const dir = mkdtempSync(join(tmpdir(), 'klambda-chart-versitygw-'));
    // a Secret volume: users.json → ..data/users.json, ..data → a timestamped folder
    mkdirSync(join(dir, 'iam', '..2026_01_01_00_00_00.1'), { recursive: true });
    writeFileSync(join(dir, 'iam', '..2026_01_01_00_00_00.1', 'users.json'), s['users.json']!);
    symlinkSync('..2026_01_01_00_00_00.1', join(dir, 'iam', '..data'));
    symlinkSync('..data/users.json', join(dir, 'iam', 'users.json'));
    const gw = await startVersityGw({ dir, root: { accessKeyId: s.accessKeyId!, secretAccessKey: s.secretAccessKey! } });
    const writer = s3Client(gw, gw.root);
    const reader = s3Client(gw, { accessKeyId: s.readerAccessKeyId!, secretAccessKey: s.readerSecretAccessKey! });
    try {
      await writer.send(new CreateBucketCommand({ Bucket: 'klambda-code' }));
      await writer.send(new PutObjectCommand({ Bucket: 'klambda-code', Key: 'packages/default/x.zip', Body: 'zip' }));
      await writer.send(new PutBucketPolicyCommand({ Bucket: 'klambda-code', Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: [s.readerAccessKeyId] }, Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::klambda-code/*'] }],
      }) }));
      const got = await reader.send(new GetObjectCommand({ Bucket: 'klambda-code', Key: 'packages/default/x.zip' }));
      expect(await got.Body!.transformToString()).toBe('zip');
      const put = await reader.send(new PutObjectCommand({ Bucket: 'klambda-code', Key: 'packages/default/y.zip', Body: 'zip' })).then(() => 'ok', (e: unknown) => (e instanceof S3ServiceException ? e.name : String(e)));
      expect(put).toBe('AccessDenied');
    } finally {
      writer.destroy();
      reader.destroy();
      await gw.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
