// The cluster's guard on HTTP(S) subscription endpoints: nothing inside the cluster or on the node.
import { clusterUrlRefusal } from '../../src/events/url-guard.js';

const refused = (u: string) => clusterUrlRefusal(new URL(u));

describe('cluster URL guard', () => {
  it.each([
    'http://127.0.0.1/', 'http://127.1.2.3:8080/x', 'http://10.0.0.5/', 'http://172.16.3.4/', 'http://172.31.255.255/', 'http://192.168.1.1/',
    'http://169.254.169.254/latest/meta-data/', 'http://0.0.0.0/', 'http://100.64.0.1/', 'http://[::1]/', 'http://[fe80::1]/', 'http://[fd00::5]/',
    'http://[::ffff:127.0.0.1]/', 'http://localhost:6379/', 'http://api.localhost/', 'http://redis:6379/', 'http://klambda-redis.klambda.svc/',
    'https://kubernetes.default.svc.cluster.local/', 'http://metadata.google.internal/', 'http://printer.local/',
  ])('refuses %s', (u) => {
    expect(refused(u)).toEqual(expect.any(String));
  });

  it.each(['https://hooks.example.com/sns', 'http://172.32.0.1/', 'http://8.8.8.8/', 'https://[2001:db8::1]/', 'http://11.0.0.1/'])('lets %s through', (u) => {
    expect(refused(u)).toBeUndefined();
  });
});
