// One Lambda execution environment: a runtime process behind the Runtime API, one invocation at a time, re-initialised after a timeout or crash.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EnvironmentSpec } from '../core/environment-spec.js';
import type { Invocation } from '../core/invocation.js';
import type { Logger } from '../core/logger.js';
import {
  asInitError, crashEnding, endLines, errorEnding, initFailedEnding, initFailureOutcome, invocationResult, okEnding, outOfMemoryEnding, streamTooLargeEnding, timeoutEnding, tooLargeEnding,
  type EnvironmentInvokeResult, type Ending,
} from './invocation-endings.js';
import { startLine, timeoutLogLine } from './log-lines.js';
import { TailBuffer } from './log-tail.js';
import { nextEventHeaders, readBody, replyJson } from './runtime-api-server.js';
import { exitMessage, type InitError, MAX_RESPONSE_BYTES, normalizeErrorBody, rapidReplies } from './runtime-errors.js';
import { StreamForwarder, type StreamTarget } from './response-stream.js';
import type { IsolationOptions } from './isolation.js';
import { RuntimeLifecycle } from './runtime-lifecycle.js';
import type { ExitInfo } from './runtime-process.js';
import type { RuntimeSession } from './runtime-session.js';
import type { PodRuntime } from './pod-runtime.js';

export type { EnvironmentInvokeResult, InvokeOutcome } from './invocation-endings.js';

export interface ExecutionEnvironmentOptions {
  logger: Logger;
  /**
   * Receives every log line: the function's output and START/END/REPORT. Default: process.stdout. A promise
   * back means it is full: the runtime's output is then not read (and the function's writes block) until it settles.
   */
  logSink?: (line: string) => void | Promise<void>;
  /** Parent folder of the environment's own temp folder (its TMPDIR and HOME). Default: os.tmpdir(). */
  tmpDir?: string;
  /** How long an init may take. Default: the longer of 10 s and the function timeout. */
  initTimeoutMs?: number;
  /** How the runtime is sealed from the machine (default: the strongest the machine allows). */
  isolation?: IsolationOptions;
  /** Pod mode: the runtime runs in the function container beside the agent (see pod-runtime.ts). */
  pod?: PodRuntime;
}

/** The invocation in progress. */
interface Running {
  inv: Invocation;
  session: RuntimeSession;
  startedAt: number;
  /** Epoch ms (Lambda-Runtime-Deadline-Ms). */
  deadlineMs: number;
  handedOff: boolean;
  timer: NodeJS.Timeout | undefined;
  tail: TailBuffer | undefined;
  initDurationMs: number | undefined;
  initEndedAt: number | undefined;
  resolve: (r: EnvironmentInvokeResult) => void;
  /** The caller reads a streamed response as it comes: where its chunks go. */
  streamTo: StreamTarget | undefined;
  /** The streamed response in progress. */
  stream: StreamForwarder | undefined;
}

const STREAM_ERROR_TYPE = 'lambda-runtime-function-error-type';
const STREAM_ERROR_BODY = 'lambda-runtime-function-error-body';

/** The error a streamed response ended with (its trailers), as a runtime's error body; undefined when it ended well. */
function trailerError(req: IncomingMessage): string | undefined {
  const type = req.trailers[STREAM_ERROR_TYPE];
  const body = req.trailers[STREAM_ERROR_BODY];
  if (type === undefined && body === undefined) return undefined;
  const decoded = body === undefined ? '' : Buffer.from(body, 'base64').toString('utf8');
  return normalizeErrorBody(decoded, type);
}

const afterPendingIo = () => new Promise<void>((resolve) => setImmediate(resolve));
const stdoutSink = (line: string) => void process.stdout.write(`${line}\n`);

export class ExecutionEnvironment {
  private readonly sink: (line: string) => void | Promise<void>;
  private readonly logger: Logger;
  private readonly runtimes: RuntimeLifecycle;
  private running: Running | undefined;
  /** The invocation whose log lines are collected (outlives `running` until its REPORT). */
  private logTarget: Running | undefined;
  private busy = false;
  private stopped = false;
  private stopping: Promise<void> | undefined;
  /** The END/REPORT lines of the last invocation, written after its result went back; the next START waits for them. */
  private reporting: Promise<void> | undefined;

  constructor(readonly spec: EnvironmentSpec, opts: ExecutionEnvironmentOptions) {
    this.sink = opts.logSink ?? stdoutSink;
    this.logger = opts.logger;
    this.runtimes = new RuntimeLifecycle(spec, { ...opts, events: {
      line: (s, line) => this.onLine(s, line),
      next: (s, res) => this.onNext(s, res),
      response: (s, id, body, res) => this.onResult(s, id, res, body === null ? 413 : 202, body === null ? tooLargeEnding() : okEnding(body)),
      error: (s, id, body, type, res) => this.onResult(s, id, res, 202, errorEnding(normalizeErrorBody(body, type))),
      responseStream: (s, id, req, res) => this.onResponseStream(s, id, req, res),
      exit: (s, info) => this.onExit(s, info),
    } });
  }

  /** The runtime process's pid while one runs. */
  get runtimePid(): number | undefined {
    return this.runtimes.current?.pid;
  }

  /** Starts the runtime; resolves when it first asks for an event. Rejects with an InitError. */
  async start(): Promise<{ initDurationMs: number }> {
    const s = await this.runtimes.ensure();
    return { initDurationMs: s.initDurationMs };
  }

  /**
   * Runs one invocation. Function failures are results; it rejects only if called while another runs, or after stop().
   * With `streamTo`, a response the function streams goes there as it comes (else it is read whole, as Invoke reads it).
   */
  async invoke(inv: Invocation, streamTo?: StreamTarget): Promise<EnvironmentInvokeResult> {
    if (this.busy) throw new Error(`execution environment of ${this.spec.functionName}:${this.spec.version} is busy: one invocation at a time`);
    if (this.stopped) throw new Error('execution environment is stopped');
    this.busy = true;
    try {
      let session: RuntimeSession;
      try {
        session = await this.runtimes.ensure();
      } catch (err) {
        return this.initFailure(inv, asInitError(err));
      }
      if (this.reporting) await this.reporting;
      return await new Promise<EnvironmentInvokeResult>((resolve) => {
        const r: Running = {
          inv, session, resolve, startedAt: 0, deadlineMs: 0, handedOff: false, timer: undefined, initDurationMs: undefined, initEndedAt: undefined, streamTo, stream: undefined,
          tail: inv.logTail ? new TailBuffer() : undefined,
        };
        this.running = r;
        this.logTarget = r;
        this.emit(startLine(inv.requestId, this.spec.version));
        this.arm(r, session);
      });
    } finally {
      this.busy = false;
    }
  }

  /** Kills the runtime and closes its server; an invocation in progress ends as a crash. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.stopped = true;
    const r = this.running;
    const finishing = r ? this.finish(r, crashEnding(r.inv.requestId, null, 'SIGKILL')) : undefined;
    await Promise.allSettled([finishing, this.reporting, this.runtimes.stop()]);
  }

  /** Binds the invocation to a runtime and starts its clock; the event goes out as soon as the runtime asks for it. */
  private arm(r: Running, session: RuntimeSession): void {
    if (session.dead) {
      void this.rearm(r); // it died after ensure() handed it over
      return;
    }
    const timeoutMs = this.spec.timeoutSeconds * 1000;
    r.session = session;
    r.initDurationMs = session.coldStart ? session.initDurationMs : undefined;
    r.initEndedAt = session.coldStart ? session.initEndedAt : undefined;
    session.coldStart = false;
    session.setBusy(true);
    r.startedAt = performance.now();
    r.deadlineMs = Date.now() + timeoutMs;
    r.timer = setTimeout(() => void this.onTimeout(r), timeoutMs);
    const res = session.takeWaiting();
    if (res) this.handOff(r, res);
  }

  private handOff(r: Running, res: ServerResponse): void {
    try {
      res.writeHead(200, nextEventHeaders(r.inv, r.deadlineMs));
    } catch (err) {
      r.session.park(res); // nothing was sent: the runtime keeps waiting for a valid event
      void this.finish(r, errorEnding(JSON.stringify({ errorType: 'Runtime.InvalidInvocation', errorMessage: err instanceof Error ? err.message : String(err) })));
      return;
    }
    r.handedOff = true;
    res.end(r.inv.payload);
  }

  private onLine(session: RuntimeSession, line: string): void | Promise<void> {
    if (this.logTarget?.session === session) this.logTarget.tail?.push(line);
    return this.sink(line);
  }

  private emit(line: string): void {
    this.sink(line);
    this.logTarget?.tail?.push(line);
  }

  private onNext(session: RuntimeSession, res: ServerResponse): void {
    const r = this.running;
    if (r?.session === session && r.handedOff) {
      replyJson(res, 403, rapidReplies.invalidState(`/next called before the result of ${r.inv.requestId} was reported`));
      return;
    }
    session.park(res);
    if (r?.session === session) {
      const waiting = session.takeWaiting();
      if (waiting) this.handOff(r, waiting);
    }
  }

  /** POST …/response or …/error for the invocation in progress; anything else is an invalid request id. */
  private onResult(session: RuntimeSession, requestId: string, res: ServerResponse, status: number, end: Ending): void {
    const r = this.running;
    if (!r || r.session !== session || !r.handedOff || r.inv.requestId !== requestId) {
      replyJson(res, 400, rapidReplies.invalidRequestId);
      return;
    }
    // The watchdog polls; the peak (VmHWM) may have passed the limit since: Lambda's cgroup would have killed it.
    if (session.overMemoryLimit()) void this.onOutOfMemory(r);
    else void this.finish(r, end);
    // The caller hears first (finish resolved it); the runtime's 202 follows in the same turn of the loop.
    setImmediate(() => replyJson(res, status, status === 202 ? rapidReplies.accepted : rapidReplies.tooLarge));
  }

  /**
   * POST …/response in streaming mode. Read whole when nobody reads it as it comes; else each chunk goes on to the
   * router as it arrives, the runtime's writes waiting while too much is in flight, and its end (or the error of its
   * trailers) ends the invocation. Past Lambda's limit it ends with Function.ResponseSizeTooLarge and the runtime's
   * connection is closed (its later writes go nowhere).
   */
  private onResponseStream(session: RuntimeSession, requestId: string, req: IncomingMessage, res: ServerResponse): void {
    const r = this.running;
    if (!r || r.session !== session || !r.handedOff || r.inv.requestId !== requestId || r.stream) {
      req.resume();
      replyJson(res, 400, rapidReplies.invalidRequestId);
      return;
    }
    if (!r.streamTo) {
      readBody(req, MAX_RESPONSE_BYTES, (body) => {
        const failed = body === null ? undefined : trailerError(req);
        this.onResult(session, requestId, res, body === null ? 413 : 202, body === null ? tooLargeEnding() : failed ? errorEnding(failed) : okEnding(body));
      });
      return;
    }
    const contentType = typeof req.headers['content-type'] === 'string' ? req.headers['content-type'] : 'application/octet-stream';
    const stream = new StreamForwarder(r.streamTo, contentType);
    r.stream = stream;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over || this.running !== r) return;
      if (!stream.push(chunk)) {
        over = true;
        void this.finish(r, streamTooLargeEnding());
        res.once('finish', () => req.socket.destroy());
        res.setHeader('Connection', 'close');
        replyJson(res, 413, rapidReplies.tooLarge);
        return;
      }
      if (stream.full) {
        req.pause();
        void stream.drained().then(() => req.resume());
      }
    });
    req.on('end', () => {
      if (over) return;
      const failed = trailerError(req);
      this.onResult(session, requestId, res, 202, failed ? errorEnding(failed) : okEnding(''));
    });
  }

  /**
   * Ends the invocation. Its END/REPORT lines wait one turn of I/O (for the output the function wrote before
   * its result) and a read of /proc; the result goes back without waiting for them unless its log tail needs them.
   */
  private async finish(r: Running, end: Ending, killAfterMeasuring = false): Promise<void> {
    if (this.running !== r) return;
    this.running = undefined; // a result arriving from now on is too late
    clearTimeout(r.timer);
    const durationMs = performance.now() - r.startedAt;
    const result = invocationResult(this.spec, r.inv.requestId, durationMs, end);
    if (r.initDurationMs !== undefined) result.initDurationMs = r.initDurationMs;
    if (r.initEndedAt !== undefined) result.initEndedAt = r.initEndedAt;
    if (r.stream) {
      // every chunk is on the stream before the end goes on the reply list: the router reads them all first
      result.streamed = await r.stream.close();
      if (r.stream.failure !== undefined) {
        const why = r.stream.failure instanceof Error ? r.stream.failure.message : String(r.stream.failure);
        this.logger.warn({ msg: 'a streamed response could not be forwarded whole', requestId: r.inv.requestId, function: this.spec.functionName, error: why });
        // cut short on klambda's side: the caller is told it failed rather than left with a truncated success
        if (!result.functionError) {
          result.functionError = 'Unhandled';
          result.payload = JSON.stringify({ errorType: 'ServiceException', errorMessage: `The streamed response could not be forwarded whole: ${why}` });
        }
      }
    }
    const reported = this.writeEndLines(r, durationMs, end, killAfterMeasuring);
    this.reporting = reported;
    if (r.tail || killAfterMeasuring) await reported;
    if (r.tail) result.logResult = r.tail.toBase64();
    r.resolve(result);
  }

  private async writeEndLines(r: Running, durationMs: number, end: Ending, kill: boolean): Promise<void> {
    const [maxMemoryUsedMB] = await Promise.all([r.session.maxMemoryUsedMB(), afterPendingIo()]);
    if (this.running?.session !== r.session) r.session.setBusy(false);
    if (kill) this.runtimes.retire(r.session); // after the read: /proc/<pid> goes with the process
    r.session.flush();
    for (const line of endLines(this.spec, r.inv.requestId, { durationMs, maxMemoryUsedMB, initDurationMs: r.initDurationMs }, end)) this.emit(line);
    if (this.logTarget === r) this.logTarget = undefined;
  }

  private async onTimeout(r: Running): Promise<void> {
    if (this.running !== r) return;
    // Node's timers count from the event loop's cached clock and can fire up to a millisecond early by
    // performance.now(): the run gets its whole timeout (and a REPORT of at least that long) before it ends
    const left = this.spec.timeoutSeconds * 1000 - (performance.now() - r.startedAt);
    if (left > 0) {
      r.timer = setTimeout(() => void this.onTimeout(r), Math.ceil(left));
      return;
    }
    const { requestId } = r.inv;
    this.logger.warn({ msg: 'invocation timed out; re-initialising', requestId, function: this.spec.functionName, version: this.spec.version });
    this.emit(timeoutLogLine(new Date(), requestId, this.spec.timeoutSeconds));
    const session = r.session;
    await this.finish(r, timeoutEnding(requestId, this.spec.timeoutSeconds), true);
    this.runtimes.reinit(session);
  }

  /** The function's processes held more than its memory: it ends as Lambda's OOM kill does, and the environment resets. */
  private async onOutOfMemory(r: Running): Promise<void> {
    if (this.running !== r) return;
    const { requestId } = r.inv;
    this.logger.warn({ msg: 'out of memory; re-initialising', requestId, function: this.spec.functionName, version: this.spec.version, memoryMB: this.spec.memoryMB });
    this.emit(`RequestId: ${requestId} Error: ${exitMessage(null, 'SIGKILL')}`);
    this.emit('Runtime.OutOfMemory');
    const session = r.session;
    await this.finish(r, outOfMemoryEnding(requestId), true);
    this.runtimes.reinit(session);
  }

  /** The runtime exited on its own: mid-invocation that is a crash; idle, the next invoke re-inits. */
  private onExit(session: RuntimeSession, info: ExitInfo): void {
    this.runtimes.retire(session);
    const r = this.running;
    const log = { function: this.spec.functionName, version: this.spec.version, code: info.code, signal: info.signal };
    if (r?.session === session && r.handedOff && info.outOfMemory) {
      void this.onOutOfMemory(r);
      return;
    }
    if (r?.session === session && r.handedOff) {
      this.logger.warn({ msg: 'runtime exited during an invocation; re-initialising', requestId: r.inv.requestId, ...log });
      this.emit(`RequestId: ${r.inv.requestId} Error: ${exitMessage(info.code, info.signal)}`);
      void this.finish(r, crashEnding(r.inv.requestId, info.code, info.signal));
      this.runtimes.reinit(session);
      return;
    }
    this.runtimes.detach(session);
    this.logger.warn({ msg: 'runtime exited between invocations; the next invoke re-initialises', ...log });
    // It died before taking the waiting event (e.g. it exits after reporting an error): a new runtime gets it.
    if (r?.session === session) void this.rearm(r);
  }

  private async rearm(r: Running): Promise<void> {
    clearTimeout(r.timer);
    let session: RuntimeSession;
    try {
      session = await this.runtimes.ensure();
    } catch (err) {
      void this.finish(r, initFailedEnding(asInitError(err)));
      return;
    }
    if (this.running === r) this.arm(r, session);
  }

  /** An invoke whose init failed is answered with the init error; the init's own lines were written as they came. */
  private initFailure(inv: Invocation, e: InitError): EnvironmentInvokeResult {
    const { lines, result } = initFailureOutcome(this.spec, inv, e);
    for (const line of lines) this.sink(line);
    if (inv.logTail) {
      const tail = new TailBuffer();
      for (const line of [...e.logLines, ...lines]) tail.push(line);
      result.logResult = tail.toBase64();
    }
    return result;
  }
}
