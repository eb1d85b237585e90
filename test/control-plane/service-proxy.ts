// A userspace service proxy, as kube-proxy's old userspace mode: a TCP listener on each ClusterIP:port, each
// connection piped to the next ready endpoint (round robin); a Service without one refuses (closes) the connection.
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Backend, ProxyPort } from './service-records.js';

interface Listener { server: Server; entry: ProxyPort; next: number; sockets: Set<Socket> }

export interface AddressHooks {
  /** Makes `ip` a local address before a listener binds it; removed once no port listens on it. */
  add(ip: string): Promise<void>;
  remove(ip: string): Promise<void>;
}

const key = (p: { ip: string; port: number }) => `${p.ip}:${p.port}`;

export class ServiceProxy {
  private readonly listeners = new Map<string, Listener>();
  private updating: Promise<void> = Promise.resolve();

  constructor(private readonly addresses: AddressHooks, private readonly log: (line: string) => void) {}

  /** Converges on `table` (updates are applied one at a time, in order). */
  update(table: readonly ProxyPort[]): Promise<void> {
    this.updating = this.updating.then(() => this.apply(table)).catch((err: unknown) => this.log(`service proxy: ${String(err)}`));
    return this.updating;
  }

  private async apply(table: readonly ProxyPort[]): Promise<void> {
    const wanted = new Map(table.map((p) => [key(p), p]));
    for (const [k, l] of this.listeners) {
      if (wanted.has(k)) continue;
      this.listeners.delete(k);
      await this.close(l);
      if (![...this.listeners.values()].some((o) => o.entry.ip === l.entry.ip)) await this.addresses.remove(l.entry.ip);
    }
    for (const [k, entry] of wanted) {
      const l = this.listeners.get(k);
      if (l) { l.entry = entry; continue; }
      await this.addresses.add(entry.ip);
      // half-open: a client that has sent all it will still reads the whole answer
      const listener: Listener = { server: createServer({ allowHalfOpen: true }), entry, next: 0, sockets: new Set() };
      listener.server.on('connection', (socket) => this.forward(listener, socket));
      await new Promise<void>((resolve, reject) => {
        listener.server.once('error', reject);
        listener.server.listen(entry.port, entry.ip, () => { listener.server.off('error', reject); resolve(); });
      }).catch((err: unknown) => { throw new Error(`listening on ${k} for ${entry.service}: ${String(err)}`); });
      this.listeners.set(k, listener);
    }
  }

  private pick(l: Listener): Backend | undefined {
    const { backends } = l.entry;
    if (backends.length === 0) return undefined;
    const b = backends[l.next % backends.length]!;
    l.next = (l.next + 1) % backends.length;
    return b;
  }

  private forward(l: Listener, client: Socket): void {
    const backend = this.pick(l);
    if (!backend) { client.destroy(); return; }
    const upstream = connect({ port: backend.port, host: backend.ip, allowHalfOpen: true });
    l.sockets.add(client);
    l.sockets.add(upstream);
    const end = () => { client.destroy(); upstream.destroy(); l.sockets.delete(client); l.sockets.delete(upstream); };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  private close(l: Listener): Promise<void> {
    for (const s of l.sockets) s.destroy();
    return new Promise((resolve) => { l.server.close(() => resolve()); });
  }

  /** Closes every listener and connection and removes the addresses. */
  async stop(): Promise<void> {
    await this.updating;
    const all = [...this.listeners.values()];
    this.listeners.clear();
    await Promise.all(all.map((l) => this.close(l)));
    for (const ip of new Set(all.map((l) => l.entry.ip))) await this.addresses.remove(ip);
  }
}
