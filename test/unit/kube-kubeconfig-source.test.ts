import { join } from 'node:path';
import { KubeConfigMissingError, kubeConfigSource, SERVICE_ACCOUNT_DIR } from '../../src/kube/kubeconfig-source.js';

const token = join(SERVICE_ACCOUNT_DIR, 'token');
const existing = (...paths: string[]) => (p: string) => paths.includes(p);

describe('where a klambda process finds its Kubernetes credentials', () => {
  it('takes --kubeconfig first, then $KUBECONFIG (the files of it that exist), then the pod, then ~/.kube/config', () => {
    const all = existing('/flag', '/a', token, '/home/u/.kube/config');
    const inPod = { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBECONFIG: '/a:/missing' };
    expect(kubeConfigSource({ flag: '/flag', env: inPod, home: '/home/u', exists: all })).toEqual({ kind: 'files', paths: ['/flag'], from: '--kubeconfig' });
    expect(kubeConfigSource({ env: inPod, home: '/home/u', exists: all })).toEqual({ kind: 'files', paths: ['/a'], from: 'KUBECONFIG' });
    expect(kubeConfigSource({ env: { KUBERNETES_SERVICE_HOST: '10.0.0.1' }, home: '/home/u', exists: all })).toEqual({ kind: 'in-cluster' });
    expect(kubeConfigSource({ env: {}, home: '/home/u', exists: all })).toEqual({ kind: 'files', paths: ['/home/u/.kube/config'], from: '~/.kube/config' });
  });

  it('says where it looked when there is nothing, instead of falling back to http://localhost:8080', () => {
    expect(() => kubeConfigSource({ env: {}, home: '/home/u', exists: existing() }))
      .toThrow(new KubeConfigMissingError('no Kubernetes configuration: pass --kubeconfig FILE, set KUBECONFIG, create /home/u/.kube/config, or run in a pod with a service account (KUBERNETES_SERVICE_HOST is not set)'));
    expect(() => kubeConfigSource({ env: { KUBERNETES_SERVICE_HOST: '10.0.0.1' }, home: '/h', exists: existing() })).toThrow(`${token} is missing`);
    expect(() => kubeConfigSource({ flag: '/nope', env: {}, home: '/h', exists: existing('/h/.kube/config') })).toThrow('--kubeconfig /nope: no such file');
    expect(() => kubeConfigSource({ env: { KUBECONFIG: '/x:/y' }, home: '/h', exists: existing('/h/.kube/config') })).toThrow('KUBECONFIG=/x:/y: no such file');
  });
});
