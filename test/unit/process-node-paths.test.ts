// The process node's pure parts: which container paths map to which host folders, how they are rewritten, and what a volume holds.
import { pathMappings, rewritePaths } from '../control-plane/path-rewrite.js';
import { volumeFiles } from '../control-plane/pod-volumes.js';

const dirs = new Map([['code', '/host/pod/volumes/code'], ['tmp', '/host/pod/volumes/tmp'], ['lib', '/host/pod/volumes/lib']]);

describe('pathMappings', () => {
  it('maps each mount with a host folder, longest path first, and leaves /tmp and volumes without a folder alone', () => {
    const mounts = [
      { name: 'tmp', mountPath: '/tmp' }, { name: 'code', mountPath: '/var/task/' }, { name: 'lib', mountPath: '/var/task/lib' },
      { name: 'token', mountPath: '/var/run/secrets/token' },
    ];
    expect(pathMappings(mounts, dirs)).toEqual([
      { from: '/var/task/lib', to: '/host/pod/volumes/lib' }, { from: '/var/task', to: '/host/pod/volumes/code' },
    ]);
  });

  it('maps a subPath mount into its volume folder and adds the image prefixes after the mounts', () => {
    const mounts = [{ name: 'code', mountPath: '/etc/app.json', subPath: 'conf/app.json' }];
    expect(pathMappings(mounts, dirs, { '/opt/klambda': '/repo', '/etc/app.json': '/elsewhere' })).toEqual([
      { from: '/etc/app.json', to: '/host/pod/volumes/code/conf/app.json' }, { from: '/etc/app.json', to: '/elsewhere' },
      { from: '/opt/klambda', to: '/repo' },
    ]);
  });
});

describe('rewritePaths', () => {
  const maps = pathMappings([{ name: 'code', mountPath: '/var/task' }, { name: 'lib', mountPath: '/var/task/lib' }], dirs, { '/opt/klambda': '/repo' });

  it('rewrites a whole path at the start, under it, and in the JSON of the agent config', () => {
    expect(rewritePaths('/opt/klambda/dist/agent/main.js', maps)).toBe('/repo/dist/agent/main.js');
    expect(rewritePaths('/var/task', maps)).toBe('/host/pod/volumes/code');
    expect(rewritePaths('{"spec":{"codeDir":"/var/task","handler":"x"}}', maps)).toBe('{"spec":{"codeDir":"/host/pod/volumes/code","handler":"x"}}');
  });

  it('uses the longest mount path that matches', () => {
    expect(rewritePaths('/var/task/lib/x.js', maps)).toBe('/host/pod/volumes/lib/x.js');
    expect(rewritePaths('/var/task/libs/x.js', maps)).toBe('/host/pod/volumes/code/libs/x.js');
  });

  it('rewrites after = : , space and quotes, every occurrence', () => {
    expect(rewritePaths('--dir=/var/task', maps)).toBe('--dir=/host/pod/volumes/code');
    expect(rewritePaths('/opt/x:/var/task/bin:/var/task', maps)).toBe('/opt/x:/host/pod/volumes/code/bin:/host/pod/volumes/code');
    expect(rewritePaths('cat /var/task/a /var/task/b,/var/task', maps)).toBe('cat /host/pod/volumes/code/a /host/pod/volumes/code/b,/host/pod/volumes/code');
    expect(rewritePaths("sh -c 'ls /var/task'", maps)).toBe("sh -c 'ls /host/pod/volumes/code'");
    expect(rewritePaths('NODE_PATH=/var/task:/opt/lib', maps)).toBe('NODE_PATH=/host/pod/volumes/code:/opt/lib');
  });

  it('leaves a path that only starts or ends like a mount path alone', () => {
    for (const s of ['/var/taskforce', '/srv/var/task', 'x/var/task', 'https://h/var/task', '/opt/klambdax/y', 'var/task']) {
      expect(rewritePaths(s, maps)).toBe(s);
    }
  });

  it('does not rewrite a replacement again', () => {
    const chained = pathMappings([{ name: 'a', mountPath: '/a' }, { name: 'b', mountPath: '/b' }], new Map([['a', '/b'], ['b', '/c']]));
    expect(rewritePaths('/a/x /b/y', chained)).toBe('/b/x /c/y');
  });

  it('keeps "$" in a host folder literally', () => {
    expect(rewritePaths('/var/task', pathMappings([{ name: 'code', mountPath: '/var/task' }], new Map([['code', '/h/$1$&']])))).toBe('/h/$1$&');
  });
});

describe('volumeFiles', () => {
  const data = { 'a.txt': Buffer.from('A'), 'file-1': Buffer.from('#!/bin/sh\n') };

  it('lays out the items, key → path, with defaultMode or the item mode', () => {
    const r = volumeFiles({ defaultMode: 0o755, items: [{ key: 'a.txt', path: 'a.txt', mode: 0o600 }, { key: 'file-1', path: 'dir/b.sh' }] }, data, 'cm');
    expect(r).toEqual({ ok: true, value: [
      { path: 'a.txt', content: Buffer.from('A'), mode: 0o600 }, { path: 'dir/b.sh', content: Buffer.from('#!/bin/sh\n'), mode: 0o755 },
    ] });
  });

  it('holds every key with mode 0644 when there are no items', () => {
    const r = volumeFiles({}, data, 'cm');
    expect(r.ok && r.value.map((f) => [f.path, f.mode])).toEqual([['a.txt', 0o644], ['file-1', 0o644]]);
  });

  it('fails on a missing source or key unless optional', () => {
    expect(volumeFiles({}, undefined, 'configmap "x"')).toEqual({ ok: false, message: 'configmap "x" not found' });
    expect(volumeFiles({ optional: true }, undefined, 'cm')).toEqual({ ok: true, value: [] });
    expect(volumeFiles({ items: [{ key: 'nope', path: 'n' }] }, data, 'cm')).toEqual({ ok: false, message: 'cm has no key "nope"' });
    expect(volumeFiles({ optional: true, items: [{ key: 'nope', path: 'n' }] }, data, 'cm')).toEqual({ ok: true, value: [] });
  });

  it('refuses an item path that is absolute or climbs out of the volume', () => {
    for (const path of ['/etc/passwd', '../x', 'a/../../x']) {
      expect(volumeFiles({ items: [{ key: 'a.txt', path }] }, data, 'cm').ok).toBe(false);
    }
  });
});
