// The agent's pod mode: the runtime is not spawned but runs in the function container beside the agent. The agent serves
// the Runtime API on a fixed loopback port for the pod's life, finds the function's processes in the shared PID
// namespace by their uid, notices when they are gone (a crash), and SIGKILLs them on a timeout; the kubelet restarts
// the container, whose runtime's first /next is the next init.
import type { ServerResponse } from 'node:http';
import type { Logger } from '../core/logger.js';
import { scanProcesses, rootsOf, type ProcEntry } from './proc-scan.js';
import { replyJson, RuntimeApiServer, type RuntimeApiHandlers } from './runtime-api-server.js';
import { rapidReplies } from './runtime-errors.js';
import type { ExitInfo } from './runtime-process.js';

/** How the agent finds its function in a pod (from the Deployment the controller builds). */
export interface PodModeConfig {
  /** `127.0.0.1:<port>`: where the agent serves the Runtime API; the function's AWS_LAMBDA_RUNTIME_API. */
  runtimeApi: string;
  /** The function container's uid: its processes are the runtime. */
  functionUid: number;
}

export interface PodRuntimeOptions {
  logger: Logger;
  /** /proc of the shared PID namespace. */
  procRoot?: string;
  /** How often the function's processes are looked at. */
  pollMs?: number;
  /**
   * The function's memory: processes holding more are ended as out of memory. In a pod the container's limit is the
   * same and the kernel usually ends them first (the agent then sees only that they are gone: Runtime.ExitError).
   */
  memoryLimitMB?: number;
}

/** One session's endpoint: what RuntimeApiServer gives a spawned runtime's session. */
export interface RuntimeEndpoint {
  readonly port: number;
  close(): Promise<void>;
}

const DEFAULT_POLL_MS = 100;

/** Calls made while no session is attached (the container restarted before the next init began), handed to the next one. */
interface Pending { next?: ServerResponse; initError?: { body: string; type: string | undefined; res: ServerResponse } }

export class PodRuntime {
  private current: RuntimeApiHandlers | undefined;
  /** The current session's processes. */
  private watching: FunctionProcesses | undefined;
  private pending: Pending = {};
  /** Identities of processes this agent killed: a dying runtime is never taken for the next one. */
  private readonly killed = new Set<string>();
  private warnedKill = false;
  private killing: Promise<void> | undefined;
  /** An event went out on /next and no result came back yet: a /next now comes from a restarted runtime (or a confused one). */
  private inFlight = false;
  readonly pollMs: number;
  readonly memoryLimitMB: number | undefined;

  private constructor(readonly cfg: PodModeConfig, private readonly server: RuntimeApiServer, private readonly opts: PodRuntimeOptions) {
    this.pollMs = opts.pollMs ?? DEFAULT_POLL_MS;
    this.memoryLimitMB = opts.memoryLimitMB;
  }

  /** Listens on the configured loopback port at once, before the function's runtime first asks for work. */
  static async listen(cfg: PodModeConfig, opts: PodRuntimeOptions): Promise<PodRuntime> {
    const [host, port] = splitAddress(cfg.runtimeApi);
    let self: PodRuntime | undefined;
    const server = await RuntimeApiServer.listen({
      next: (res) => self!.onNext(res),
      response: (id, body, res) => self!.onResult(res, (h) => h.response(id, body, res)),
      responseStream: (id, req, res) => self!.onResult(res, (h) => h.responseStream(id, req, res)),
      error: (id, body, type, res) => self!.onResult(res, (h) => h.error(id, body, type, res)),
      initError: (body, type, res) => self!.onInitError(body, type, res),
    }, { host, port });
    self = new PodRuntime(cfg, server, opts);
    return self;
  }

  /** Serves one session's runtime; calls that waited for a session are handed over now. */
  attach(handlers: RuntimeApiHandlers): RuntimeEndpoint {
    this.current = handlers;
    this.inFlight = false;
    // after the session has finished attaching (it awaits this endpoint before it waits for the first /next)
    setImmediate(() => {
      if (this.current !== handlers) return;
      const { next, initError } = this.pending;
      this.pending = {};
      if (initError) this.onInitError(initError.body, initError.type, initError.res);
      if (next && !next.writableEnded && !next.destroyed) this.onNext(next, true);
    });
    return {
      port: this.server.port,
      close: async () => { if (this.current === handlers) this.current = undefined; },
    };
  }

  /** The function's processes for one session: it started when they appear, it exited when its first ones are gone. */
  watch(): FunctionProcesses {
    this.watching = new FunctionProcesses(this);
    return this.watching;
  }

  /** Resolves once the function container runs (the agent takes no work while it is down, e.g. in a restart backoff). */
  async runtimeUp(stopped: () => boolean = () => false): Promise<void> {
    while (!stopped() && (await this.functionProcesses()).length === 0) await delay(this.pollMs);
  }

  /** The live processes of the function's uid: not this agent, not the pod's PID 1 (pause), not zombies, not ones it killed. */
  async functionProcesses(): Promise<ProcEntry[]> {
    // a kill in progress decides first, so a dying runtime is never taken for the next one
    await this.killing;
    return this.scan();
  }

  private async scan(): Promise<ProcEntry[]> {
    const all = await scanProcesses(this.opts.procRoot);
    const present = new Set(all.map((e) => e.identity));
    for (const id of this.killed) if (!present.has(id)) this.killed.delete(id);
    return all.filter((e) => e.uid === this.cfg.functionUid && e.pid !== process.pid && e.pid !== 1
      && !e.zombie && !this.killed.has(e.identity));
  }

  /** SIGKILL to every process of the function (another uid: the agent holds CAP_KILL for it). */
  killAll(): Promise<void> {
    const previous = this.killing;
    const killing = (async () => {
      await previous;
      await this.killNow();
    })();
    this.killing = killing;
    void killing.finally(() => { if (this.killing === killing) this.killing = undefined; });
    return killing;
  }

  private async killNow(): Promise<void> {
    for (const e of await this.scan()) {
      try {
        process.kill(e.pid, 'SIGKILL');
        this.killed.add(e.identity);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EPERM' && !this.warnedKill) {
          this.warnedKill = true;
          this.opts.logger.error({ msg: 'cannot kill the function\'s processes: the agent container needs the KILL capability', pid: e.pid });
        }
      }
    }
  }

  close(): Promise<void> {
    this.pending.next?.destroy();
    this.pending.initError?.res.destroy();
    return this.server.close();
  }

  /** A runtime that calls is running: its processes become the session's (to be killed with it) before its call counts. */
  private seenFirst(then: () => void): boolean {
    const w = this.watching;
    if (!this.current || !w || w.hasStarted) return false;
    void w.refresh().then(then);
    return true;
  }

  private onResult(res: ServerResponse, deliver: (h: RuntimeApiHandlers) => void): void {
    this.inFlight = false;
    if (this.current) deliver(this.current);
    else replyJson(res, 400, rapidReplies.invalidRequestId);
  }

  private onNext(res: ServerResponse, checked = false): void {
    if (!checked) res.once('finish', () => { if (res.statusCode === 200) this.inFlight = true; });
    if (this.seenFirst(() => this.deliverNext(res))) return;
    const w = this.watching;
    if (!checked && this.inFlight && w && !w.isDone) {
      // the runtime that took the event may be gone and this its container's next start: look before answering
      void w.refresh().then(() => this.onNext(res, true));
      return;
    }
    this.deliverNext(res);
  }

  /** To the session whose runtime is alive, else kept for the next session. */
  private deliverNext(res: ServerResponse): void {
    if (this.current && !this.watching?.isDone) this.current.next(res);
    else this.park(res);
  }

  /** Keeps a /next for the next session. */
  private park(res: ServerResponse): void {
    this.inFlight = false;
    const prev = this.pending.next;
    if (prev && prev !== res && !prev.writableEnded && !prev.destroyed) replyJson(prev, 403, rapidReplies.invalidState('Replaced by a newer /next call'));
    this.pending.next = res;
  }

  private onInitError(body: string, type: string | undefined, res: ServerResponse): void {
    if (this.seenFirst(() => (this.current ? this.current.initError(body, type, res) : this.onInitError(body, type, res)))) return;
    if (this.current) return this.current.initError(body, type, res);
    this.pending.initError?.res.destroy();
    this.pending.initError = { body, type, res };
  }
}

/** The function container's processes during one session, with RuntimeProcess's surface (pid, exited, kill, flush, memory). */
export class FunctionProcesses {
  /** Resolves when the function's processes are first seen: its init runs from then on. */
  readonly started: Promise<void>;
  readonly exited: Promise<ExitInfo>;
  private roots: Set<string> | undefined;
  private rootPid: number | undefined;
  private done = false;
  private killedByUs = false;
  private outOfMemory = false;
  private lastMaxMemoryMB = 0;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private markStarted!: () => void;
  private markExited!: (info: ExitInfo) => void;

  constructor(private readonly host: PodRuntime) {
    this.started = new Promise((resolve) => { this.markStarted = resolve; });
    this.exited = new Promise((resolve) => { this.markExited = resolve; });
    void this.poll();
  }

  get pid(): number | undefined {
    return this.rootPid;
  }

  get hasStarted(): boolean {
    return this.roots !== undefined;
  }

  /** Its processes are gone (or it was told to kill them). */
  get isDone(): boolean {
    return this.done;
  }

  /**
   * Looks at the processes now instead of at the next poll: a look that begins after this call, never one already under
   * way (that one may have read the runtime as alive just before it died, and its restarted runtime's /next would then
   * be handed to the dead one's session, where it waits for ever).
   */
  refresh(): Promise<void> {
    return (this.polling ?? Promise.resolve()).then(() => this.poll());
  }

  /** SIGKILL to the function's processes (the container ends and the kubelet restarts it); exited resolves once they are gone. */
  kill(): void {
    if (this.done) return;
    this.killedByUs = true;
    if (this.roots === undefined) return this.finish(); // nothing started: nothing to wait for
    void this.host.killAll().then(() => this.poll());
  }

  /** The function's output goes to its own container log, not through the agent. */
  flush(): void {}

  /** Whether the function's processes have held more than its memory (their high-water marks, as last seen). */
  overMemoryLimit(): boolean {
    const limit = this.host.memoryLimitMB;
    return this.outOfMemory || (limit !== undefined && this.lastMaxMemoryMB > limit);
  }

  /** The sum of the high-water marks of the function's processes (the last value once they are gone). */
  async maxMemoryUsedMB(): Promise<number> {
    if (!this.done) this.measure(await this.host.functionProcesses().catch(() => []));
    return this.lastMaxMemoryMB;
  }

  private measure(live: readonly ProcEntry[]): void {
    const kb = live.reduce((n, e) => n + e.vmHwmKb, 0);
    this.lastMaxMemoryMB = Math.max(this.lastMaxMemoryMB, Math.round(kb / 1024));
  }

  /** One look at a time (the timer's and a refresh's share it); the next is scheduled after it. */
  private poll(): Promise<void> {
    this.polling ??= this.pollOnce().finally(() => {
      this.polling = undefined;
      clearTimeout(this.timer);
      if (!this.done) this.timer = setTimeout(() => void this.poll(), this.host.pollMs);
    });
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    if (this.done) return;
    const live = await this.host.functionProcesses().catch(() => undefined);
    if (!this.done && live) this.observe(live);
  }

  private observe(live: readonly ProcEntry[]): void {
    if (this.roots === undefined) {
      if (live.length === 0) return;
      const roots = rootsOf(live);
      this.roots = new Set(roots.map((e) => e.identity));
      this.rootPid = roots[0]?.pid;
      this.markStarted();
    }
    const ids = new Set(live.map((e) => e.identity));
    if (![...this.roots].some((id) => ids.has(id))) return this.finish();
    this.measure(live);
    const limit = this.host.memoryLimitMB;
    const rssMB = live.reduce((n, e) => n + e.vmRssKb, 0) / 1024;
    if (limit !== undefined && rssMB > limit && !this.outOfMemory) {
      // as the container's memory limit would: the environment ends with Runtime.OutOfMemory and is reset
      this.outOfMemory = true;
      void this.host.killAll().then(() => this.poll());
    }
  }

  /** The agent sees that the processes are gone, not how they ended: a kill of ours is SIGKILL, anything else has no reason. */
  private finish(): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    const killed = this.killedByUs || this.outOfMemory;
    this.markExited({ code: null, signal: killed ? 'SIGKILL' : null, ...(this.outOfMemory ? { outOfMemory: true } : {}) });
  }
}

function splitAddress(address: string): [string, number] {
  const colon = address.lastIndexOf(':');
  const port = Number(address.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`pod.runtimeApi must be host:port, got "${address}"`);
  return [address.slice(0, colon), port];
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
