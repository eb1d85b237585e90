// e2e helper: a bare test control plane (no CRDs, no RBAC: the chart brings them) with the process node in its pod
// network mode, klambda's images mapped to this repository, and a hostPath PV for the Redis claim, as a provisioner
// would make one on kind. Gives the admin kubeconfig for helm and kubectl.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/core/package-root.js';
import { controlPlaneBinaries } from '../../test/control-plane/binaries.js';
import { startControlPlane, type ControlPlane } from '../../test/control-plane/control-plane.js';
import { imageCatalog, klambdaImages } from '../../test/control-plane/images.js';
import { reservePodNetwork, type PodNetworkReservation } from '../../test/control-plane/network-slot.js';
import { startProcessNode, type ProcessNode } from '../../test/control-plane/process-node.js';
import { kubectl, kubectlOk } from '../../test/helpers/kubectl.js';
import { versityGwBinaries } from '../../test/helpers/versitygw.js';

export interface HelmCluster {
  cp: ControlPlane;
  node: ProcessNode;
  nodeName: string;
  /** The admin's kubeconfig (what `helm` and `kubectl` read from $KUBECONFIG). */
  kubeconfig: string;
  /** The pods of klambda-system and their last log lines, for a failing test's message. */
  diagnostics(): string;
  stop(): Promise<void>;
}

export async function startHelmCluster(): Promise<HelmCluster> {
  let net: PodNetworkReservation | undefined;
  let cp: ControlPlane | undefined;
  let node: ProcessNode | undefined;
  const pvDir = mkdtempSync(join(tmpdir(), 'klambda-pv-'));
  const storeDir = mkdtempSync(join(tmpdir(), 'klambda-pv-code-store-'));
  const stop = async () => {
    await node?.stop();
    await cp?.stop();
    await net?.release();
    rmSync(pvDir, { recursive: true, force: true });
    rmSync(storeDir, { recursive: true, force: true });
  };
  try {
    net = await reservePodNetwork();
    // the API server hands out ClusterIPs from the slot's service range, which the node proxies
    cp = await startControlPlane(controlPlaneBinaries(), { podNetwork: net });
    node = await startProcessNode({
      server: cp.server, token: cp.token, rootMap: { '/opt/klambda': packageRoot() },
      images: imageCatalog({
        ...klambdaImages(packageRoot()),
        // the chart's code store: the versitygw binary the tests build, as the image's /usr/local/bin/versitygw
        versitygw: { entrypoint: [], cmd: [], env: { PATH: `${versityGwBinaries()}:/usr/bin:/bin` }, paths: {} },
      }),
      podNetwork: net,
    });
    // Redis (uid 999) writes its append-only file here; a provisioner would give it the claim's own folder
    chmodSync(pvDir, 0o777);
    kubectlOk(['apply', '-f', '-'], cp.kubeconfig, JSON.stringify({
      apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'klambda-redis-data' },
      spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', hostPath: { path: pvDir, type: 'Directory' } },
    }));
    // the code store's claim (10Gi); the chart's init container makes buckets/ in it, which the process node does not run
    mkdirSync(join(storeDir, 'buckets'));
    spawnSync('chmod', ['-R', '0777', storeDir]);
    kubectlOk(['apply', '-f', '-'], cp.kubeconfig, JSON.stringify({
      apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'klambda-code-store-data' },
      spec: { capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', hostPath: { path: storeDir, type: 'Directory' } },
    }));
  } catch (e) {
    await stop();
    throw e;
  }
  const [control, n] = [cp, node];
  return {
    cp: control, node: n, nodeName: n.name, kubeconfig: control.kubeconfig, stop,
    diagnostics: () => {
      const pods = kubectl(['get', 'pods', '-A', '-o', 'wide'], control.kubeconfig).stdout;
      const events = kubectl(['get', 'events', '-A', '--field-selector', 'type=Warning'], control.kubeconfig).stdout;
      const names = kubectl(['-n', 'klambda-system', 'get', 'pods', '-o', 'jsonpath={.items[*].metadata.name}'], control.kubeconfig).stdout.split(' ').filter(Boolean);
      const fnNames = kubectl(['-n', 'default', 'get', 'pods', '-o', 'jsonpath={.items[*].metadata.name}'], control.kubeconfig).stdout.split(' ').filter(Boolean);
      const logs = [...names.map((p) => ['klambda-system', p] as const), ...fnNames.map((p) => ['default', p] as const)]
        .map(([ns, p]) => `--- ${p}\n${n.logs(ns, p).split('\n').slice(-40).join('\n')}`).join('\n');
      return `pods:\n${pods}\nwarnings:\n${events}\nlogs:\n${logs}`;
    },
  };
}
