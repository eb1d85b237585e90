// The Runtime API guard (the /proc reads for proc-net-tcp.ts): a new connection is admitted only if its peer's socket is held by a process of the environment's runtime.
import { closeSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs';
import type { Socket } from 'node:net';
import { endianness } from 'node:os';
import type { Logger } from '../core/logger.js';
import type { RuntimeApiGuardMode } from './isolation.js';
import { PeerSocketSearch, socketLink, type TcpEndpoint } from './proc-net-tcp.js';

export interface RuntimeApiGuardOptions {
  logger: Logger;
  functionName: string;
  version: string;
  /** On; off (the agent cannot tell, so every connection is admitted); undefined while no runtime was started (none is). */
  mode: () => RuntimeApiGuardMode | undefined;
  now?: () => number;
}

/** A refusal is logged (and its peer's pid looked for among every process) at most this often; all are counted. */
const LOG_EVERY_MS = 1000;
const ORDER = endianness();

export class RuntimeApiGuard {
  /** Connections refused so far. */
  refused = 0;
  private lastLogAt = -Infinity;

  constructor(private readonly opts: RuntimeApiGuardOptions) {}

  /**
   * Whether `socket`, just accepted and nothing read from it, comes from a process of `pids()` (the runtime's now).
   * Synchronous, so no byte of a refused connection is ever parsed; nothing is kept from one connection to the next.
   */
  admit(socket: Socket, pids: () => readonly number[]): boolean {
    const mode = this.opts.mode();
    if (mode && !mode.on) return true;
    const peer = endpoint(socket.remoteAddress, socket.remotePort);
    const us = endpoint(socket.localAddress, socket.localPort);
    const inode = mode && peer && us ? findPeerSocket(peer, us) : undefined;
    if (inode !== undefined && pids().some((pid) => holdsSocket(pid, inode))) return true;
    this.refused += 1;
    this.logRefusal(peer, inode, !mode ? 'no runtime started yet' : inode === undefined ? 'its socket is not in /proc/net/tcp' : undefined);
    return false;
  }

  private logRefusal(peer: TcpEndpoint | undefined, inode: number | undefined, reason: string | undefined): void {
    const now = (this.opts.now ?? Date.now)();
    if (now - this.lastLogAt < LOG_EVERY_MS) return;
    this.lastLogAt = now;
    const peerPid = inode === undefined ? undefined : socketHolder(inode);
    this.opts.logger.warn({
      msg: 'runtime api refused a connection from outside the environment', function: this.opts.functionName, version: this.opts.version,
      peer: peer ? `${peer.address}:${peer.port}` : 'unknown', ...(peerPid !== undefined ? { peerPid } : {}),
      ...(reason ? { reason } : {}), refused: this.refused,
    });
  }
}

const endpoint = (address: string | undefined, port: number | undefined): TcpEndpoint | undefined =>
  (address && port !== undefined ? { address, port } : undefined);

/**
 * A whole read of the table walks every bucket of the kernel's TCP hash table, however few sockets there are
 * (milliseconds): it is read a chunk at a time, and the reading stops at the peer's line.
 */
const CHUNK = 64 * 1024;
const chunk = Buffer.allocUnsafe(CHUNK);

function findInTable(path: string, family: 4 | 6, peer: TcpEndpoint, us: TcpEndpoint): number | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const search = new PeerSocketSearch(family, peer, us, ORDER);
    for (let n = readSync(fd, chunk, 0, CHUNK, null); n > 0; n = readSync(fd, chunk, 0, CHUNK, null)) {
      const found = search.feed(chunk.toString('latin1', 0, n));
      if (found !== undefined) return found;
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** The peer's socket inode: in /proc/net/tcp, else (an IPv6 socket talking IPv4-mapped) in /proc/net/tcp6. */
function findPeerSocket(peer: TcpEndpoint, us: TcpEndpoint): number | undefined {
  return findInTable('/proc/net/tcp', 4, peer, us) ?? findInTable('/proc/net/tcp6', 6, peer, us);
}

/** Whether one of `pid`'s descriptors is the socket `inode` (false once it is gone, or if its descriptors cannot be read). */
function holdsSocket(pid: number, inode: number): boolean {
  const dir = `/proc/${pid}/fd`;
  let fds: string[];
  try {
    fds = readdirSync(dir);
  } catch {
    return false;
  }
  const link = socketLink(inode);
  for (const fd of fds) {
    try {
      if (readlinkSync(`${dir}/${fd}`) === link) return true;
    } catch {
      // closed meanwhile
    }
  }
  return false;
}

/** The first process that holds the socket `inode`, among every one the agent may look into (for the log only). */
function socketHolder(inode: number): number | undefined {
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (Number.isInteger(pid) && holdsSocket(pid, inode)) return pid;
  }
  return undefined;
}
