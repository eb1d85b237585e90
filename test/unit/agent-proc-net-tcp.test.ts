// Finding the peer's socket of a loopback connection in /proc/net/tcp{,6}, and when the agent can check who calls its Runtime API.
import { runtimeApiGuard, type HostAbilities } from '../../src/agent/isolation.js';
import { addressBytes, parseProcNetTcp, PeerSocketSearch, peerSocketInode, procNetEndpoint } from '../../src/agent/proc-net-tcp.js';
import { CAP_SYS_PTRACE, hasEffectiveCapability } from '../../src/agent/process-table.js';

// Real lines (x86-64, little-endian): a server on 127.0.0.1:36493 (8E8D), an IPv4 client from port 45564 (B1FC)
// and an IPv6 client (::ffff:127.0.0.1) from port 45574 (B206), each with the server's accepted end.
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode                                                     
   4: 0100007F:8E8D 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 251065 1 0000000097fe2ad6 100 0 0 10 0                    
 386: 0100007F:8E8D 0100007F:B1FC 01 00000000:00000000 00:00000000 00000000     0        0 251067 1 00000000d666020f 20 0 0 10 -1                    
 444: 0100007F:8E8D 0100007F:B206 01 00000000:00000000 00:00000000 00000000     0        0 251071 1 000000001d232642 20 0 0 10 -1                    
 464: 0100007F:B1FC 0100007F:8E8D 01 00000000:00000000 00:00000000 00000000 65534        0 251066 2 0000000045fa822d 20 0 0 10 -1                    
 470: 0100007F:B2A0 0100007F:8E8D 06 00000000:00000000 03:00000A2E 00000000     0        0 0 3 0000000000000000
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:18FF 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12771 1 00000000dfa7686b 100 0 0 10 0
   1: 0000000000000000FFFF00000100007F:B206 0000000000000000FFFF00000100007F:8E8D 01 00000000:00000000 00:00000000 00000000     0        0 251070 2 00000000ea3389bc 20 0 0 10 -1
   2: 00000000000000000000000001000000:C350 00000000000000000000000001000000:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 4711 2 00000000ea3389bc 20 0 0 10 -1
`;
const server = { address: '127.0.0.1', port: 36493 };

describe('/proc/net/tcp', () => {
  it('parses every socket line (not the header): ends, state, uid, inode', () => {
    const entries = parseProcNetTcp(TCP, 'LE');
    expect(entries).toHaveLength(5);
    expect(entries[0]).toEqual({ local: server, remote: { address: '0.0.0.0', port: 0 }, state: 0x0a, uid: 0, inode: 251065 });
    expect(entries[3]).toEqual({ local: { address: '127.0.0.1', port: 45564 }, remote: server, state: 1, uid: 65534, inode: 251066 });
  });

  it('reads tcp6: an IPv4-mapped address as IPv4, any other one as eight groups', () => {
    const [any, mapped, loopback] = parseProcNetTcp(TCP6, 'LE');
    expect(any?.local).toEqual({ address: '0:0:0:0:0:0:0:0', port: 6399 });
    expect(mapped?.local).toEqual({ address: '127.0.0.1', port: 45574 });
    expect(loopback?.local).toEqual({ address: '0:0:0:0:0:0:0:1', port: 50000 });
  });

  it('finds the peer\'s socket of a connection: the line whose local end is the peer and whose remote end is us', () => {
    expect(peerSocketInode(TCP, 4, { address: '127.0.0.1', port: 45564 }, server, 'LE')).toBe(251066);
    // not our accepted end of the same connection (local = us), which the agent itself holds
    expect(peerSocketInode(TCP, 4, server, { address: '127.0.0.1', port: 45564 }, 'LE')).toBe(251067);
    // an IPv6 client talking to our IPv4 server is only in tcp6
    expect(peerSocketInode(TCP, 4, { address: '127.0.0.1', port: 45574 }, server, 'LE')).toBeUndefined();
    expect(peerSocketInode(TCP6, 6, { address: '127.0.0.1', port: 45574 }, server, 'LE')).toBe(251070);
    expect(peerSocketInode(TCP6, 6, { address: '::1', port: 50000 }, { address: '::1', port: 8080 }, 'LE')).toBe(4711);
  });

  it('finds nothing for a peer whose socket no process holds (inode 0), nor for an unknown peer', () => {
    expect(peerSocketInode(TCP, 4, { address: '127.0.0.1', port: 45728 }, server, 'LE')).toBeUndefined();
    expect(peerSocketInode(TCP, 4, { address: '127.0.0.1', port: 1 }, server, 'LE')).toBeUndefined();
    expect(peerSocketInode(TCP, 4, { address: '127.0.0.2', port: 45564 }, server, 'LE')).toBeUndefined();
  });

  it('finds the line in a table read a chunk at a time, wherever the chunks are cut', () => {
    const peer = { address: '127.0.0.1', port: 45564 };
    for (const size of [1, 7, 64, 151, 4096]) {
      const search = new PeerSocketSearch(4, peer, server, 'LE');
      let found: number | undefined;
      for (let at = 0; at < TCP.length && found === undefined; at += size) found = search.feed(TCP.slice(at, at + size));
      expect(found).toBe(251066);
    }
    const other = new PeerSocketSearch(4, { address: '127.0.0.1', port: 1 }, server, 'LE');
    expect([other.feed(TCP.slice(0, 500)), other.feed(TCP.slice(500))]).toEqual([undefined, undefined]);
  });

  it('prints addresses word by word as the CPU holds them, ports in host order', () => {
    expect(procNetEndpoint(server, 4, 'LE')).toBe('0100007F:8E8D');
    expect(procNetEndpoint(server, 4, 'BE')).toBe('7F000001:8E8D');
    expect(procNetEndpoint(server, 6, 'LE')).toBe('0000000000000000FFFF00000100007F:8E8D');
    expect(procNetEndpoint({ address: '::1', port: 80 }, 4, 'LE')).toBeUndefined();
    const be = TCP.replace(/0100007F/g, '7F000001');
    expect(peerSocketInode(be, 4, { address: '127.0.0.1', port: 45564 }, server, 'BE')).toBe(251066);
  });

  it('reads addresses as Node spells them', () => {
    expect(addressBytes('127.0.0.1')).toEqual([127, 0, 0, 1]);
    expect(addressBytes('::ffff:127.0.0.1')).toEqual([127, 0, 0, 1]);
    expect(addressBytes('::1')).toEqual([...Array(15).fill(0), 1]);
    expect(addressBytes('fe80::1:2')).toEqual([0xfe, 0x80, ...Array(10).fill(0), 0, 1, 0, 2]);
    expect(addressBytes('1::2::3')).toBeUndefined();
    expect(addressBytes('300.0.0.1')).toBeUndefined();
  });
});

describe('runtimeApiGuard', () => {
  const root: HostAbilities = { platform: 'linux', uid: 0, gid: 0, procNetTcp: true, sysPtrace: true };
  const ns = { pidNamespace: true, userNamespace: false, dropCapabilities: false };

  it('is on where the agent can read /proc/net/tcp and the runtime\'s descriptors', () => {
    expect(runtimeApiGuard(root, { ...ns, user: { uid: 65534, gid: 65534 } })).toEqual({ on: true });
    // a user's runtime keeps the user's uid (mapped to itself in its user namespace)
    expect(runtimeApiGuard({ ...root, uid: 1000, gid: 1000, sysPtrace: false }, { ...ns, userNamespace: true })).toEqual({ on: true });
    expect(runtimeApiGuard({ ...root, sysPtrace: false }, { ...ns, dropCapabilities: true })).toEqual({ on: true });
  });

  it('is off, with the reason, without /proc or where another uid\'s descriptors are closed to the agent', () => {
    expect(runtimeApiGuard({ platform: 'darwin', uid: 501, gid: 20 }, ns)).toEqual({ on: false, reason: 'no /proc on darwin' });
    expect(runtimeApiGuard({ ...root, procNetTcp: false }, ns)).toMatchObject({ on: false });
    expect(runtimeApiGuard({ ...root, sysPtrace: false }, { ...ns, user: { uid: 65534, gid: 65534 } }))
      .toEqual({ on: false, reason: 'without CAP_SYS_PTRACE the agent cannot read the descriptors of uid 65534' });
  });

  it('reads CAP_SYS_PTRACE from CapEff', () => {
    expect(hasEffectiveCapability('Name:\tnode\nCapEff:\t000001ffffffffff\n', CAP_SYS_PTRACE)).toBe(true);
    // Docker's default set: no SYS_PTRACE
    expect(hasEffectiveCapability('Name:\tnode\nCapEff:\t00000000a80425fb\n', CAP_SYS_PTRACE)).toBe(false);
    expect(hasEffectiveCapability('Name:\tnode\n', CAP_SYS_PTRACE)).toBe(false);
  });
});
