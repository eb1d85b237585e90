// The real kubectl (v1.36.3, as the control plane) where a user types it: `kubectl apply -f crds/`, `kubectl get
// functions` with the CRD's printer columns, `kubectl explain function.spec`, and `kubectl apply -k config/default`,
// whose pods the API server admits under Pod Security `restricted` in klambda-system.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { packageRoot } from '../../src/core/package-root.js';
import { controlPlaneBinaries } from '../control-plane/binaries.js';
import { startControlPlane, type ControlPlane } from '../control-plane/control-plane.js';
import { kubectl, kubectlOk } from '../helpers/kubectl.js';
import { waitFor } from '../helpers/wait.js';

let cp: ControlPlane;
let dir: string;
const k = (args: string[], input?: string) => kubectlOk(args, cp.kubeconfig, input);

beforeAll(async () => {
  cp = await startControlPlane(controlPlaneBinaries());
  dir = mkdtempSync(join(tmpdir(), 'klambda-kustomize-'));
}, 45 * 60_000);
afterAll(async () => {
  await cp?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the CRDs through kubectl', () => {
  beforeAll(() => {
    k(['apply', '-f', 'crds/']);
    k(['wait', '--for=condition=Established', '--timeout=60s', 'crd', ...['functions', 'functionversions', 'aliases', 'topics', 'eventrules', 'eventsourcemappings', 'layers'].map((p) => `${p}.klambda.dev`)]);
  }, 120_000);

  it('lists functions with the printer columns of the CRD', async () => {
    k(['apply', '-f', 'config/samples/klambda_v1alpha1_function.yaml']);
    const crd = parse(readFileSync(join(packageRoot(), 'crds', 'functions.klambda.dev.yaml'), 'utf8')) as { spec: { versions: Array<{ additionalPrinterColumns: Array<{ name: string }> }> } };
    const columns = crd.spec.versions[0]!.additionalPrinterColumns.map((c) => c.name.toUpperCase());
    // discovery may lag the CRD's Established by a moment
    const out = await waitFor(() => { const r = kubectl(['get', 'functions'], cp.kubeconfig); return r.status === 0 ? r.stdout : undefined; }, 30_000, 'kubectl get functions');
    const [header, row] = out.trim().split('\n');
    expect(header!.split(/\s+/)).toEqual(['NAME', ...columns]);
    expect(row).toMatch(/^hello\s+nodejs20\s/);
    expect(k(['get', 'fn', 'hello', '-o', 'jsonpath={.spec.memoryMB}'])).toBe('128');
  });

  it('explains function.spec from the CRD\'s schema', () => {
    const out = k(['explain', 'function.spec']);
    expect(out).toMatch(/^KIND:\s+Function$/m);
    expect(out).toMatch(/^GROUP:\s+klambda\.dev$/m);
    for (const field of ['runtime', 'handler', 'code', 'memoryMB', 'timeoutSeconds']) expect(out).toMatch(new RegExp(`^\\s+${field}\\s`, 'm'));
    expect(k(['explain', 'function.spec.runtime'])).toMatch(/FIELD:\s+runtime/);
  });

  it('refuses a Function the schema does not allow, in the API server\'s words', () => {
    const bad = 'apiVersion: klambda.dev/v1alpha1\nkind: Function\nmetadata: {name: bad}\nspec: {runtime: nodejs20, handler: i.h, code: {inline: {"i.mjs": "x"}}, memoryMB: 64}\n';
    const r = kubectl(['apply', '-f', '-'], cp.kubeconfig, bad);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('spec.memoryMB');
  });
});

describe('kubectl apply -k config/default', () => {
  beforeAll(() => {
    // as a user's checkout: the passwords script, then apply (docs/install.md)
    cpSync(join(packageRoot(), 'config'), join(dir, 'config'), { recursive: true });
    for (const secret of ['redis-secret', 'code-store-secret']) {
      rmSync(join(dir, 'config', 'default', secret), { recursive: true, force: true });
      const made = spawnSync('sh', [join(dir, 'config', 'default', `${secret}.sh`)], { encoding: 'utf8' });
      if (made.status !== 0) throw new Error(made.stderr);
    }
    k(['apply', '--server-side', '-k', join(dir, 'config', 'default')]);
  }, 120_000);

  it('installs the chart\'s objects in klambda-system, and kubectl diff finds nothing left to change', () => {
    const names = (kind: string, ns?: string) => (JSON.parse(k([...(ns ? ['-n', ns] : []), 'get', kind, '-l', 'app.kubernetes.io/part-of=klambda', '-o', 'json'])) as { items: Array<{ metadata: { name: string } }> }).items.map((i) => i.metadata.name).sort();
    expect(names('deployments', 'klambda-system')).toEqual(['klambda-code-store', 'klambda-controller', 'klambda-router']);
    expect(names('statefulsets', 'klambda-system')).toEqual(['klambda-redis']);
    expect(names('services', 'klambda-system')).toEqual(['klambda-code-store', 'klambda-controller', 'klambda-redis', 'klambda-redis-headless', 'klambda-router']);
    expect(names('clusterroles')).toEqual(['klambda-controller', 'klambda-router']);
    expect(names('roles', 'klambda-system')).toEqual(['klambda-controller-function-urls', 'klambda-controller-leader-election']);
    expect(names('secrets', 'klambda-system')).toEqual(['klambda-code-store', 'klambda-redis']);
    const diff = kubectl(['diff', '--server-side', '-k', join(dir, 'config', 'default')], cp.kubeconfig);
    expect([diff.status, diff.stdout, diff.stderr]).toEqual([0, '', '']);
  });

  it('gets its controller, router, Redis and code store pods admitted under Pod Security `restricted`', async () => {
    expect(k(['get', 'namespace', 'klambda-system', '-o', 'jsonpath={.metadata.labels.pod-security\\.kubernetes\\.io/enforce}'])).toBe('restricted');
    // the ReplicaSets and the StatefulSet create their pods (no node here: they stay Pending); a refused pod never appears
    const pods = await waitFor(() => {
      const list = JSON.parse(k(['-n', 'klambda-system', 'get', 'pods', '-o', 'json'])) as { items: Array<{ metadata: { labels: Record<string, string> } }> };
      const count = (c: string) => list.items.filter((p) => p.metadata.labels['app.kubernetes.io/component'] === c).length;
      return count('controller') === 2 && count('router') === 2 && count('redis') === 1 && count('code-store') === 1 ? list.items : undefined;
    }, 60_000, 'pods created in klambda-system', 200);
    expect(pods).toHaveLength(6);
    const events = k(['-n', 'klambda-system', 'get', 'events', '--field-selector', 'reason=FailedCreate', '-o', 'name']);
    expect(events.trim()).toBe('');
  });

  it('binds the ServiceAccounts to exactly klambda\'s roles (kubectl auth can-i as the controller)', () => {
    const as = ['--as', 'system:serviceaccount:klambda-system:klambda-controller'];
    expect(k(['auth', 'can-i', 'patch', 'deployments/scale', '-n', 'team-a', ...as]).trim()).toBe('yes');
    expect(k(['auth', 'can-i', 'update', 'leases', '-n', 'klambda-system', ...as]).trim()).toBe('yes');
    expect(kubectl(['auth', 'can-i', 'update', 'leases', '-n', 'default', ...as], cp.kubeconfig).stdout.trim()).toBe('no');
    expect(kubectl(['auth', 'can-i', 'delete', 'secrets', '-n', 'default', ...as], cp.kubeconfig).stdout.trim()).toBe('no');
    const router = ['--as', 'system:serviceaccount:klambda-system:klambda-router'];
    expect(k(['auth', 'can-i', 'list', 'secrets', '--all-namespaces', ...router]).trim()).toBe('yes');
    expect(kubectl(['auth', 'can-i', 'create', 'deployments', '-n', 'default', ...router], cp.kubeconfig).stdout.trim()).toBe('no');
  });
});
