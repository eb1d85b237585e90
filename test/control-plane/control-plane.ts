// Runs a real Kubernetes control plane on 127.0.0.1 for tests: etcd, kube-apiserver (token auth, RBAC,
// service-account keys), kube-controller-manager and kube-scheduler, from binaries built by
// hack/testbin/build-control-plane.sh. Writes a kubeconfig; stop() ends every process and removes the folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/local/redis-server.js';
import type { PodNetworkConfig } from './network-slot.js';

export interface ControlPlane {
  server: string;
  token: string;
  kubeconfig: string;
  dir: string;
  stop(): Promise<void>;
}

const ADMIN_TOKEN = 'klambda-admin-token';

function start(bin: string, args: string[], dir: string, name: string): ChildProcess {
  const log = createWriteStream(join(dir, `${name}.log`));
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  return child;
}

function get(url: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { Authorization: `Bearer ${token}` }, rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function waitReady(url: string, token: string, timeoutMs: number, exited: () => string | undefined): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const why = exited();
    if (why) throw new Error(why);
    const r = await get(url, token).catch(() => undefined);
    if (r?.status === 200) return;
    if (Date.now() > until) throw new Error(`${url} not ready after ${timeoutMs} ms: ${r ? `${r.status} ${r.body.slice(0, 400)}` : 'no answer'}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

export interface ControlPlaneOptions {
  /** Extra users with bearer tokens (user name -> token), without any permission until RBAC grants some. */
  users?: Record<string, string>;
  /** A pod network slot (network-slot.ts): ClusterIPs come from its service range, which its process node proxies. */
  podNetwork?: Pick<PodNetworkConfig, 'serviceCIDR'>;
}

export async function startControlPlane(binDir: string, opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const dir = mkdtempSync(join(tmpdir(), 'klambda-k8s-'));
  const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const saKey = join(dir, 'sa.key');
  writeFileSync(saKey, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const extra = Object.entries(opts.users ?? {}).map(([user, token], i) => `${token},${user},${100 + i}\n`).join('');
  writeFileSync(join(dir, 'tokens.csv'), `${ADMIN_TOKEN},admin,1,"system:masters"\n${extra}`);
  const certDir = join(dir, 'certs');
  const server = `https://127.0.0.1:${apiPort}`;
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, [
    'apiVersion: v1', 'kind: Config', 'current-context: klambda-test',
    'clusters:', `- name: klambda-test`, '  cluster:', `    server: ${server}`, '    insecure-skip-tls-verify: true',
    'users:', '- name: admin', '  user:', `    token: ${ADMIN_TOKEN}`,
    'contexts:', '- name: klambda-test', '  context: {cluster: klambda-test, user: admin}', '',
  ].join('\n'));

  const children: ChildProcess[] = [];
  const exits = new Map<ChildProcess, string>();
  const run = (name: string, args: string[]) => {
    const c = start(join(binDir, name), args, dir, name);
    c.once('exit', (code, signal) => exits.set(c, `${name} exited (${code ?? signal}); see ${join(dir, `${name}.log`)}`));
    children.push(c);
    return c;
  };
  const stopProcesses = async () => {
    await Promise.all(children.reverse().map((c) => new Promise<void>((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) { resolve(); return; }
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
      setTimeout(() => c.kill('SIGKILL'), 5000).unref();
    })));
  };
  const stop = async () => {
    await stopProcesses();
    rmSync(dir, { recursive: true, force: true });
  };
  const firstExit = () => [...exits.values()][0];

  try {
    run('etcd', [
      '--data-dir', join(dir, 'etcd'), '--listen-client-urls', `http://127.0.0.1:${etcdPort}`,
      '--advertise-client-urls', `http://127.0.0.1:${etcdPort}`, '--listen-peer-urls', `http://127.0.0.1:${peerPort}`,
      '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPort}`, '--initial-cluster', `default=http://127.0.0.1:${peerPort}`,
      '--unsafe-no-fsync', '--log-level', 'warn',
    ]);
    run('kube-apiserver', [
      `--etcd-servers=http://127.0.0.1:${etcdPort}`, '--bind-address=127.0.0.1', `--secure-port=${apiPort}`,
      `--cert-dir=${certDir}`, `--service-cluster-ip-range=${opts.podNetwork?.serviceCIDR ?? '10.0.0.0/24'}`, '--allow-privileged=true',
      '--authorization-mode=RBAC', `--token-auth-file=${join(dir, 'tokens.csv')}`,
      `--service-account-issuer=${server}`, `--service-account-key-file=${saKey}`, `--service-account-signing-key-file=${saKey}`,
      '--enable-priority-and-fairness=false',
    ]);
    await waitReady(`${server}/readyz`, ADMIN_TOKEN, 90_000, firstExit);
    run('kube-controller-manager', [
      `--kubeconfig=${kubeconfig}`, '--leader-elect=false', `--service-account-private-key-file=${saKey}`,
      `--root-ca-file=${join(certDir, 'apiserver.crt')}`, '--bind-address=127.0.0.1', '--secure-port=0',
      '--use-service-account-credentials=false', '--controllers=*',
    ]);
    run('kube-scheduler', [`--kubeconfig=${kubeconfig}`, '--leader-elect=false', '--bind-address=127.0.0.1', '--secure-port=0']);
    // the default service account appears once the controller-manager runs
    await waitReady(`${server}/api/v1/namespaces/default/serviceaccounts/default`, ADMIN_TOKEN, 60_000, firstExit);
  } catch (err) {
    await stopProcesses(); // the logs stay in `dir` for a look
    throw err;
  }
  return { server, token: ADMIN_TOKEN, kubeconfig, dir, stop };
}
