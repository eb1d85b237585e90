// The pure parts of sealing a runtime: which isolation to try, in what order, and the launcher command it takes.
import { describeIsolation, isolatedCommand, isolationCandidates, type HostAbilities } from '../../src/agent/isolation.js';
import { allows, foldersAbove } from '../../src/agent/path-access.js';

const linuxRoot: HostAbilities = { platform: 'linux', uid: 0, gid: 0, unshare: '/usr/bin/unshare', setpriv: '/usr/bin/setpriv' };
const linuxUser: HostAbilities = { ...linuxRoot, uid: 1000, gid: 1000 };
const reachable = () => undefined;
const cmd = { command: '/usr/bin/node', args: ['bootstrap.mjs'] };

describe('isolationCandidates', () => {
  it('root: a PID namespace as uid 65534, then uid 65534 alone', () => {
    expect(isolationCandidates(linuxRoot, {}, reachable).map(describeIsolation)).toEqual(['pid namespace, uid 65534', 'uid 65534']);
  });

  it('root, when uid 65534 cannot reach the code or the runtime: a namespace as root without capabilities, then nothing', () => {
    const list = isolationCandidates(linuxRoot, {}, () => 'uid 65534 cannot enter /root');
    expect(list.map(describeIsolation)).toEqual(['pid namespace, uid 0 without capabilities', 'none']);
    expect(list[0]?.reason).toBe('uid 65534 cannot enter /root');
  });

  it('root with a configured runtime user', () => {
    expect(isolationCandidates(linuxRoot, { runtimeUser: { uid: 4242, gid: 4343 } }, reachable)[0]?.user).toEqual({ uid: 4242, gid: 4343 });
  });

  it('a user: a PID and user namespace, then a plain child', () => {
    expect(isolationCandidates(linuxUser, {}, reachable).map(describeIsolation)).toEqual(['pid+user namespace', 'none']);
  });

  it('macOS, or namespaces turned off, or no unshare: what is left, with the reason', () => {
    expect(isolationCandidates({ platform: 'darwin', uid: 501, gid: 20 }, {}, reachable)).toEqual([
      { pidNamespace: false, userNamespace: false, dropCapabilities: false, reason: 'no PID namespaces on darwin' },
    ]);
    expect(isolationCandidates(linuxRoot, { namespaces: false }, reachable).map(describeIsolation)).toEqual(['uid 65534']);
    expect(isolationCandidates({ platform: 'linux', uid: 0, gid: 0 }, {}, reachable)[0]?.reason).toBe('unshare (util-linux) not found');
  });
});

describe('isolatedCommand', () => {
  const tied = ['--pdeathsig', 'KILL', '--'];
  const unshare = ['/usr/bin/unshare', '--pid', '--fork', '--mount-proc', '--kill-child'];

  it('root: unshare, then setpriv to uid 65534 (--kill-child then holds: setpriv sets the parent-death signal again after the uid change)', () => {
    const [ns] = isolationCandidates(linuxRoot, {}, reachable);
    expect(isolatedCommand(ns!, linuxRoot, cmd)).toEqual({
      command: '/usr/bin/setpriv',
      args: [...tied, ...unshare, '--',
        '/usr/bin/setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--no-new-privs', '--pdeathsig', 'KILL', '--', '/usr/bin/node', 'bootstrap.mjs'],
    });
  });

  it('maps a user to itself in its own user namespace (never to root: root there could unmount the private /proc)', () => {
    const [ns] = isolationCandidates(linuxUser, {}, reachable);
    expect(isolatedCommand(ns!, linuxUser, cmd).args).toEqual([
      ...tied, '/usr/bin/unshare', '--user', '--map-user=1000', '--map-group=1000', '--pid', '--fork', '--mount-proc', '--kill-child', '--', '/usr/bin/node', 'bootstrap.mjs',
    ]);
  });

  it('drops every capability with setpriv when root stays root', () => {
    const [ns] = isolationCandidates(linuxRoot, { runtimeUser: 'agent' }, reachable);
    expect(isolatedCommand(ns!, linuxRoot, cmd).args).toEqual([...tied, ...unshare, '--',
      '/usr/bin/setpriv', '--bounding-set=-all', '--inh-caps=-all', '--ambient-caps=-all', '--no-new-privs', '--', '/usr/bin/node', 'bootstrap.mjs',
    ]);
  });

  it('without setpriv, unshare switches the user itself', () => {
    const host = { ...linuxRoot, setpriv: undefined } as HostAbilities;
    const [ns] = isolationCandidates(host, {}, reachable);
    expect(isolatedCommand(ns!, host, cmd)).toEqual({
      command: '/usr/bin/unshare', args: [...unshare.slice(1), '--setuid=65534', '--setgid=65534', '--', '/usr/bin/node', 'bootstrap.mjs'],
    });
  });

  it('without a namespace, only ties the runtime to the agent', () => {
    const none = { pidNamespace: false, userNamespace: false, dropCapabilities: false };
    expect(isolatedCommand(none, linuxRoot, cmd)).toEqual({ command: '/usr/bin/setpriv', args: [...tied, '/usr/bin/node', 'bootstrap.mjs'] });
    expect(isolatedCommand(none, { platform: 'darwin', uid: 501, gid: 20 }, cmd)).toEqual(cmd);
  });
});

describe('path access', () => {
  const nobody = { uid: 65534, gid: 65534 };
  it('reads the owner, group or other bits that apply', () => {
    expect(allows({ mode: 0o700, uid: 0, gid: 0 }, nobody, { execute: true })).toBe(false);
    expect(allows({ mode: 0o755, uid: 0, gid: 0 }, nobody, { read: true, execute: true })).toBe(true);
    expect(allows({ mode: 0o750, uid: 0, gid: 65534 }, nobody, { read: true, execute: true })).toBe(true);
    expect(allows({ mode: 0o074, uid: 65534, gid: 0 }, nobody, { read: true })).toBe(false); // the owner bits apply, not other's
  });

  it('lists the folders to enter on the way', () => {
    expect(foldersAbove('/root/.pyenv/shims/python3')).toEqual(['/', '/root', '/root/.pyenv', '/root/.pyenv/shims']);
  });
});
