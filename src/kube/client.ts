// A small typed client for the Kubernetes REST API over node:https, authenticated from a kubeconfig (client-node).
import { request, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';
import { kubeConfigSource, KubeConfigMissingError } from './kubeconfig-source.js';

/** A non-2xx answer of the API server, with its Status object. */
export class KubeApiError extends Error {
  constructor(readonly status: number, readonly reason: string, message: string) {
    super(message);
    this.name = 'KubeApiError';
  }
}

export const isNotFound = (e: unknown): boolean => e instanceof KubeApiError && e.status === 404;
export const isConflict = (e: unknown): boolean => e instanceof KubeApiError && e.status === 409;
export const isGone = (e: unknown): boolean => e instanceof KubeApiError && e.status === 410;

export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

const REQUEST_TIMEOUT_MS = 30_000;
/** Watches ask the server to end them after 300 s and bookmarks come every minute: silence beyond this is a dead connection. */
const WATCH_IDLE_MS = 330_000;

export type PatchType = 'merge' | 'strategic' | 'json';
const PATCH_CONTENT: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
};

function errorFrom(status: number, text: string): KubeApiError {
  let reason = 'Unknown';
  let message = text.slice(0, 500);
  try {
    const body = JSON.parse(text) as { reason?: string; message?: string };
    reason = body.reason ?? reason;
    message = body.message ?? message;
  } catch { /* not a Status object */ }
  return new KubeApiError(status, reason, `${status} ${reason}: ${message}`);
}

export class KubeClient {
  private readonly server: URL;

  constructor(private readonly kc: KubeConfig) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    this.server = new URL(cluster.server);
  }

  /**
   * From --kubeconfig, $KUBECONFIG, the pod's service account or ~/.kube/config (kubeconfig-source.ts); none of them,
   * or a cluster the client cannot speak to, is a KubeConfigMissingError that says so (never a default localhost:8080).
   */
  static fromDefault(kubeconfig?: string): KubeClient {
    const source = kubeConfigSource({ flag: kubeconfig, env: process.env, home: homedir(), exists: existsSync });
    const kc = new KubeConfig();
    if (source.kind === 'in-cluster') kc.loadFromCluster();
    else if (source.paths.length === 1) kc.loadFromFile(source.paths[0] as string);
    else kc.loadFromDefault();
    const cluster = kc.getCurrentCluster();
    const where = source.kind === 'in-cluster' ? 'the in-cluster configuration' : `${source.from} (${source.paths.join(':')})`;
    if (!cluster) throw new KubeConfigMissingError(`${where} has no current cluster (current-context: ${kc.getCurrentContext() || 'none'})`);
    const protocol = URL.canParse(cluster.server) ? new URL(cluster.server).protocol : '';
    if (protocol !== 'https:' && protocol !== 'http:') throw new KubeConfigMissingError(`${where}: cluster ${cluster.name} has no https server URL (server: '${cluster.server}')`);
    if (protocol === 'http:' && !cluster.skipTLSVerify) {
      throw new KubeConfigMissingError(`${where}: cluster ${cluster.name} is plain HTTP (${cluster.server}); use its https address, or set insecure-skip-tls-verify`);
    }
    return new KubeClient(kc);
  }

  /** A bearer token for a server (tests, and users that pass --server/--token). */
  static fromToken(server: string, token: string, skipTLSVerify = false): KubeClient {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server, skipTLSVerify }],
      users: [{ name: 'u', token }],
      contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
      currentContext: 'ctx',
    });
    return new KubeClient(kc);
  }

  /**
   * `idleMs`: the request fails when the connection stays silent this long (a request waits at most
   * REQUEST_TIMEOUT_MS; a watch, whose server ends it after timeoutSeconds, gets more).
   */
  private async open(method: string, path: string, contentType: string | undefined, body: string | undefined, idleMs = REQUEST_TIMEOUT_MS): Promise<IncomingMessage> {
    const opts: RequestOptions = {
      method, protocol: this.server.protocol, hostname: this.server.hostname.replace(/^\[|\]$/g, ''), port: this.server.port,
      path: `${this.server.pathname.replace(/\/$/, '')}${path}`,
      headers: { Accept: 'application/json', ...(contentType ? { 'Content-Type': contentType } : {}) },
    };
    await this.kc.applyToHTTPSOptions(opts);
    const send = this.server.protocol === 'https:' ? request : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(opts, resolve);
      req.setTimeout(idleMs, () => req.destroy(new Error(`${method} ${path}: no answer from the API server in ${idleMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  /** One request; throws KubeApiError on a non-2xx answer. */
  async request<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const res = await this.open(method, path, data === undefined ? undefined : contentType, data);
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) throw errorFrom(status, text);
    return (text ? JSON.parse(text) : {}) as T;
  }

  get<T>(path: string): Promise<T> { return this.request<T>('GET', path); }
  create<T>(path: string, obj: unknown): Promise<T> { return this.request<T>('POST', path, obj); }
  replace<T>(path: string, obj: unknown): Promise<T> { return this.request<T>('PUT', path, obj); }
  patch<T>(path: string, patch: unknown, type: PatchType = 'merge'): Promise<T> { return this.request<T>('PATCH', path, patch, PATCH_CONTENT[type]); }
  delete(path: string): Promise<unknown> { return this.request('DELETE', path); }

  /** GET that answers undefined for 404. */
  async find<T>(path: string): Promise<T | undefined> {
    try { return await this.get<T>(path); } catch (e) { if (isNotFound(e)) return undefined; throw e; }
  }

  /**
   * Streams a watch (`path` with `watch=1` and resourceVersion in its query) until the server ends it or `signal`
   * aborts. Throws KubeApiError when the watch cannot start, or when the server sends an ERROR event (410 Gone).
   */
  async watch<T>(path: string, onEvent: (e: WatchEvent<T>) => void, signal: AbortSignal): Promise<void> {
    const res = await this.open('GET', path, undefined, undefined, WATCH_IDLE_MS);
    const status = res.statusCode ?? 0;
    if (status !== 200) {
      let text = '';
      for await (const c of res) text += (c as Buffer).toString();
      throw errorFrom(status, text);
    }
    const stop = (): void => { res.destroy(); };
    signal.addEventListener('abort', stop, { once: true });
    let buffered = '';
    try {
      for await (const chunk of res) {
        buffered += (chunk as Buffer).toString('utf8');
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (!line) continue;
          const event = JSON.parse(line) as WatchEvent<T>;
          if (event.type === 'ERROR') {
            const st = event.object as { code?: number; reason?: string; message?: string };
            throw new KubeApiError(st.code ?? 500, st.reason ?? 'Unknown', st.message ?? 'watch error');
          }
          onEvent(event);
        }
      }
    } catch (e) {
      if (signal.aborted) return;
      throw e;
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }
}
