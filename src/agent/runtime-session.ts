// One life of an execution environment's runtime: its process and its own Runtime API server, from spawn through init to retirement.
import { access, constants } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { EnvironmentSpec } from '../core/environment-spec.js';
import { initReportLine, initStartLine } from './log-lines.js';
import type { RuntimeApiGuard } from './runtime-api-guard.js';
import { replyJson, RuntimeApiServer, type RuntimeApiHandlers } from './runtime-api-server.js';
import { exitMessage, InitError, normalizeErrorBody, rapidReplies } from './runtime-errors.js';
import { providedBootstrapPath, runtimeCommand, runtimeEnvironment, type LaunchPaths } from './runtime-launch.js';
import { RuntimeProcess, type ExitInfo } from './runtime-process.js';
import type { RuntimeSandbox } from './runtime-sandbox.js';
import type { PodRuntime, RuntimeEndpoint } from './pod-runtime.js';

/** What the session passes on to its execution environment once init is done. */
export interface SessionEvents {
  /** A promise back means the sink is full: the runtime's output is not read until it settles. */
  line(session: RuntimeSession, line: string): void | Promise<void>;
  next(session: RuntimeSession, res: ServerResponse): void;
  response(session: RuntimeSession, requestId: string, body: string | null, res: ServerResponse): void;
  error(session: RuntimeSession, requestId: string, body: string, errorTypeHeader: string | undefined, res: ServerResponse): void;
  /** A streamed response (its body still arriving on `req`). */
  responseStream(session: RuntimeSession, requestId: string, req: IncomingMessage, res: ServerResponse): void;
  /** The runtime exited after init without being told to. */
  exit(session: RuntimeSession, info: ExitInfo): void;
}

export interface SessionConfig {
  spec: EnvironmentSpec;
  paths: LaunchPaths;
  tmpDir: string;
  logStreamName: string;
  initTimeoutMs: number;
  events: SessionEvents;
  /** How a spawned runtime is sealed (its PID namespace, its uid); without one, a plain child process. */
  sandbox?: RuntimeSandbox;
  /** Pod mode: the runtime runs in the function container; nothing is spawned. */
  pod?: PodRuntime;
  /** Admits to the spawned runtime's Runtime API only that runtime's processes. */
  guard?: RuntimeApiGuard;
}

/** The runtime: a spawned RuntimeProcess, or a pod's function processes. */
type RuntimeHandle = Pick<RuntimeProcess, 'pid' | 'exited' | 'kill' | 'flush' | 'maxMemoryUsedMB'> & Partial<Pick<RuntimeProcess, 'overMemoryLimit' | 'processIds' | 'setBusy'>> & { started?: Promise<void> };

/** Init log lines kept for an InitError. */
const RECENT_LINES = 20;

export class RuntimeSession {
  /** Until the first invocation after init has reported its Init Duration. */
  coldStart = true;
  initDurationMs = 0;
  /** Epoch ms when that init ended (the start of its trace span is this less initDurationMs). */
  initEndedAt = 0;
  ready = false;
  /** Killed, exited or retired: it serves nothing any more. */
  dead = false;
  private waiting: ServerResponse | undefined;
  private server: RuntimeEndpoint | undefined;
  private proc: RuntimeHandle | undefined;
  private readonly recent: string[] = [];
  private settleInit: ((err?: InitError) => void) | undefined;

  constructor(private readonly cfg: SessionConfig) {}

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** Starts the runtime; resolves on its first /next, rejects with an InitError (after retiring) otherwise. */
  async init(): Promise<void> {
    const { spec, initTimeoutMs } = this.cfg;
    const started = performance.now();
    const onLine = (line: string) => this.onLine(line);
    this.cfg.events.line(this, initStartLine(spec.runtime));
    let timer: NodeJS.Timeout | undefined;
    try {
      if (spec.runtime === 'provided' && !this.cfg.pod) await checkBootstrap(spec.codeDir);
      if (this.cfg.paths.java?.problem) throw new InitError('Runtime.InvalidEntrypoint', this.cfg.paths.java.problem);
      const handlers: RuntimeApiHandlers = {
        next: (res) => this.onNext(res),
        response: (id, body, res) => (this.ready ? this.cfg.events.response(this, id, body, res) : replyJson(res, 400, rapidReplies.invalidRequestId)),
        responseStream: (id, req, res) => {
          if (this.ready) this.cfg.events.responseStream(this, id, req, res);
          else { req.resume(); replyJson(res, 400, rapidReplies.invalidRequestId); }
        },
        error: (id, body, type, res) => (this.ready ? this.cfg.events.error(this, id, body, type, res) : replyJson(res, 400, rapidReplies.invalidRequestId)),
        initError: (body, type, res) => this.onInitError(body, type, res),
      };
      const guard = this.cfg.guard;
      const admit = guard && ((socket: Socket) => guard.admit(socket, () => this.proc?.processIds?.() ?? []));
      this.server = this.cfg.pod ? this.cfg.pod.attach(handlers) : await RuntimeApiServer.listen(handlers, undefined, admit);
      if (this.dead) throw new InitError('Runtime.ExitError', 'The execution environment was stopped during init');
      const settled = new Promise<void>((resolve, reject) => {
        this.settleInit = (err) => (err ? reject(err) : resolve());
      });
      const env = runtimeEnvironment(spec, {
        runtimeApi: `127.0.0.1:${this.server.port}`, runtimesDir: this.cfg.paths.runtimesDir, tmpDir: this.cfg.tmpDir,
        logStreamName: this.cfg.logStreamName, hostPath: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
        ...(process.env.LD_LIBRARY_PATH ? { hostLdLibraryPath: process.env.LD_LIBRARY_PATH } : {}),
      });
      const proc: RuntimeHandle = this.cfg.pod ? this.cfg.pod.watch() : new RuntimeProcess(runtimeCommand(spec, this.cfg.paths), {
        env, cwd: spec.codeDir, onLine, memoryLimitMB: spec.memoryMB, ...(this.cfg.sandbox ? { sandbox: this.cfg.sandbox } : {}),
      });
      this.proc = proc;
      void proc.exited.then((info) => this.onExit(info));
      // a pod's init clock starts when its function container runs (not while the kubelet pulls or backs off)
      const armTimer = () => {
        if (this.settleInit) timer = setTimeout(() => this.settleInit?.(new InitError('Sandbox.Timedout',
          `Init timed out after ${(initTimeoutMs / 1000).toFixed(2)} seconds`)), initTimeoutMs);
      };
      if (proc.started) void proc.started.then(armTimer);
      else armTimer();
      await settled;
      this.initDurationMs = performance.now() - started;
      this.initEndedAt = Date.now();
      proc.setBusy?.(false);
    } catch (err) {
      const initErr = err instanceof InitError ? err : new InitError('Runtime.Unknown', err instanceof Error ? err.message : String(err));
      await this.retire();
      this.cfg.events.line(this, initReportLine(performance.now() - started, initErr.errorType));
      throw initErr.withLogLines(this.recent);
    } finally {
      clearTimeout(timer);
      this.settleInit = undefined;
    }
  }

  /** Parks the runtime's /next long poll; a previous one still open is told it was replaced. */
  park(res: ServerResponse): void {
    const prev = this.waiting;
    if (prev && !prev.writableEnded && !prev.destroyed) replyJson(prev, 403, rapidReplies.invalidState('Replaced by a newer /next call'));
    this.waiting = res;
    res.once('close', () => {
      if (this.waiting === res) this.waiting = undefined;
    });
  }

  /** The parked /next, if the runtime is waiting for an event. */
  takeWaiting(): ServerResponse | undefined {
    const res = this.waiting;
    this.waiting = undefined;
    return res && !res.writableEnded && !res.destroyed ? res : undefined;
  }

  maxMemoryUsedMB(): Promise<number> {
    return this.proc ? this.proc.maxMemoryUsedMB() : Promise.resolve(0);
  }

  /** Writes out partial output lines (at the end of an invocation). */
  flush(): void {
    this.proc?.flush();
  }

  /** Kills the runtime (its whole process group), waits for it, closes the server. Idempotent; init cleans up after it. */
  async retire(): Promise<void> {
    this.dead = true;
    this.proc?.kill();
    await Promise.all([this.proc?.exited, this.server?.close()]);
  }

  /** An invocation runs (its memory is watched closely) or none does (watched at the idle pace). */
  setBusy(busy: boolean): void {
    this.proc?.setBusy?.(busy);
  }

  /** Whether the runtime's processes have held more than the function's memory (checked now). */
  overMemoryLimit(): boolean {
    return this.proc?.overMemoryLimit?.() ?? false;
  }

  private onLine(line: string): void | Promise<void> {
    this.recent.push(line);
    if (this.recent.length > RECENT_LINES) this.recent.shift();
    return this.cfg.events.line(this, line);
  }

  private onNext(res: ServerResponse): void {
    if (this.dead) {
      res.destroy();
    } else if (!this.ready) {
      this.ready = true;
      this.park(res);
      this.settleInit?.();
    } else {
      this.cfg.events.next(this, res);
    }
  }

  private onInitError(body: string, type: string | undefined, res: ServerResponse): void {
    replyJson(res, 202, rapidReplies.accepted);
    if (this.ready) return;
    const parsed = JSON.parse(normalizeErrorBody(body, type)) as { errorType: string; errorMessage: string };
    this.settleInit?.(new InitError(parsed.errorType, parsed.errorMessage));
  }

  private onExit(info: ExitInfo): void {
    if (info.spawnError) {
      this.settleInit?.(new InitError('Runtime.InvalidEntrypoint', info.spawnError.message));
    } else if (!this.ready) {
      this.settleInit?.(info.outOfMemory
        ? new InitError('Runtime.OutOfMemory', exitMessage(null, 'SIGKILL'))
        : new InitError('Runtime.ExitError', exitMessage(info.code, info.signal)));
    } else if (!this.dead) {
      this.dead = true;
      this.cfg.events.exit(this, info);
    }
  }
}

async function checkBootstrap(codeDir: string): Promise<void> {
  const path = providedBootstrapPath(codeDir);
  try {
    await access(path, constants.F_OK);
  } catch {
    throw new InitError('Runtime.InvalidEntrypoint', `Couldn't find valid bootstrap(s): [${path}]`);
  }
  try {
    await access(path, constants.X_OK);
  } catch {
    throw new InitError('Runtime.InvalidEntrypoint', `fork/exec ${path}: permission denied (the bootstrap must be executable)`);
  }
}
