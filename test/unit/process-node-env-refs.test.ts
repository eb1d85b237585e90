// The process node's env as a kubelet makes it: Secret/ConfigMap values, then $(VAR) expansion.
import { EnvSourceMissing, expandEnvRefs, resolveEnvSources } from '../control-plane/env-refs.js';

const objects: Record<string, Record<string, unknown>> = {
  'secrets/redis': { data: { 'router-password': Buffer.from('s3cret').toString('base64') } },
  'configmaps/settings': { data: { region: 'eu-west-1' } },
};
const read = async (resource: 'configmaps' | 'secrets', name: string) => objects[`${resource}/${name}`];

it('takes values from a Secret (base64) and a ConfigMap, keeping other entries as they are', async () => {
  const env = await resolveEnvSources([
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'redis', key: 'router-password' } } },
    { name: 'REGION', valueFrom: { configMapKeyRef: { name: 'settings', key: 'region' } } },
    { name: 'GONE', valueFrom: { secretKeyRef: { name: 'nope', key: 'x', optional: true } } },
    { name: 'PLAIN', value: 'p' },
  ], read);
  expect(env).toEqual([
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'REDIS_PASSWORD', value: 's3cret' }, { name: 'REGION', value: 'eu-west-1' }, { name: 'PLAIN', value: 'p' },
  ]);
});

it('refuses a required Secret or key that is missing, as a kubelet does', async () => {
  await expect(resolveEnvSources([{ name: 'A', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }], read)).rejects.toThrow(new EnvSourceMissing('secret "nope" not found'));
  await expect(resolveEnvSources([{ name: 'A', valueFrom: { secretKeyRef: { name: 'redis', key: 'k' } } }], read)).rejects.toThrow('couldn\'t find key k in Secret redis');
});

it('expands $(VAR) from what is defined, leaves unknown references, and reads $$ as $', () => {
  const defined = { REDIS_PASSWORD: 'pw' };
  expect(expandEnvRefs('redis://u:$(REDIS_PASSWORD)@h:6379', defined)).toBe('redis://u:pw@h:6379');
  expect(expandEnvRefs('$(UNKNOWN) $$(REDIS_PASSWORD) $$', defined)).toBe('$(UNKNOWN) $(REDIS_PASSWORD) $');
});
