// Keeps an execution environment's runtime alive: the first init, a new one after a runtime dies, retiring dead ones, its temp folder.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EnvironmentSpec } from '../core/environment-spec.js';
import type { Logger } from '../core/logger.js';
import { fileURLToPath } from 'node:url';
import { isJavaRuntime, javaLaunch, type JavaLaunch } from '../core/java-install.js';
import { InitError } from './runtime-errors.js';
import { logStreamName } from './runtime-launch.js';
import { RuntimeSession, type SessionEvents } from './runtime-session.js';
import type { IsolationOptions } from './isolation.js';
import { RuntimeSandbox } from './runtime-sandbox.js';
import { RuntimeApiGuard } from './runtime-api-guard.js';
import type { PodRuntime } from './pod-runtime.js';

export interface LifecycleOptions {
  logger: Logger;
  events: SessionEvents;
  /** Parent folder of the environment's temp folder. */
  tmpDir?: string;
  initTimeoutMs?: number;
  /** How spawned runtimes are sealed (default: the strongest the machine allows). */
  isolation?: IsolationOptions;
  /** Pod mode: the runtime is the function container's (see pod-runtime.ts). */
  pod?: PodRuntime;
}

const stoppedError = () => new InitError('Runtime.ExitError', 'The execution environment is stopped');

export class RuntimeLifecycle {
  private session: RuntimeSession | undefined;
  private initPromise: Promise<RuntimeSession> | undefined;
  private stopped = false;
  private javaLogged = false;
  private tmpDir: Promise<string> | undefined;
  /** Runtimes being killed; stop() waits for them. */
  private readonly retiring = new Set<Promise<void>>();
  /** One log stream per environment, as Lambda names them. */
  private readonly streamName: string;
  /** One isolation for every runtime this environment spawns, chosen at its first init. */
  private readonly sandbox: RuntimeSandbox;
  /** Every session's Runtime API admits only its own runtime's processes (one count of refusals per environment). */
  private readonly guard: RuntimeApiGuard;

  constructor(private readonly spec: EnvironmentSpec, private readonly opts: LifecycleOptions) {
    this.streamName = logStreamName(new Date(), spec.version, randomBytes(16).toString('hex'));
    this.sandbox = new RuntimeSandbox({
      logger: opts.logger, functionName: spec.functionName, version: spec.version, ...(spec.optDir ? { optDir: spec.optDir } : {}), ...opts.isolation,
    });
    this.guard = new RuntimeApiGuard({ logger: opts.logger, functionName: spec.functionName, version: spec.version, mode: () => this.sandbox.runtimeApiGuard });
  }

  /** The runtime currently serving (or initialising), if any. */
  get current(): RuntimeSession | undefined {
    return this.session;
  }

  /** A live, initialised runtime: the current one, the init in progress, or a new init. Rejects with an InitError. */
  async ensure(): Promise<RuntimeSession> {
    for (let attempt = 0; ; attempt++) {
      const current = this.session;
      if (current?.ready && !current.dead) return current;
      if (this.stopped) throw stoppedError();
      // A runtime that dies is detached at once, so this is an init in progress or a new one.
      const session = await (this.initPromise ?? this.beginInit());
      if (!session.dead) return session;
      if (attempt >= 1) throw new InitError('Runtime.ExitError', 'Runtime exited right after init');
    }
  }

  /** Replaces a dead runtime right away, so the next invoke (a cold start again) waits as little as possible. */
  reinit(old: RuntimeSession): void {
    if (this.detach(old) && !this.stopped) void this.beginInit();
  }

  /** Forgets a runtime that is no longer usable (the next ensure() starts another); true if it was the current one. */
  detach(session: RuntimeSession): boolean {
    if (this.session !== session) return false;
    this.session = undefined;
    this.initPromise = undefined;
    return true;
  }

  /** Kills a runtime in the background; stop() waits for it. */
  retire(session: RuntimeSession): void {
    const p = session.retire();
    this.retiring.add(p);
    void p.catch(() => undefined).finally(() => this.retiring.delete(p));
  }

  /** Retires the current runtime, waits for every one being retired or initialised, removes the temp folder. */
  async stop(): Promise<void> {
    this.stopped = true;
    const pendingInit = this.initPromise;
    if (this.session) this.retire(this.session);
    await Promise.allSettled([pendingInit, ...this.retiring]);
    const dir = await this.tmpDir?.catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  }

  /** Starts an init that the next ensure() awaits. A failed init is tried again by the next one, as Lambda does. */
  private beginInit(): Promise<RuntimeSession> {
    const p = this.launch();
    this.initPromise = p;
    p.catch((err: unknown) => {
      if (this.initPromise === p) this.initPromise = undefined;
      if (this.stopped) return;
      this.opts.logger.warn({ msg: 'init failed', function: this.spec.functionName, version: this.spec.version, error: err instanceof Error ? err.message : String(err) });
    });
    return p;
  }

  /** A Java runtime's JDK and client jars, looked up at each launch; the JDK found is logged once. */
  private javaPaths(): { java?: JavaLaunch } {
    const runtime = this.spec.runtime;
    if (!isJavaRuntime(runtime) || this.opts.pod) return {};
    const java = javaLaunch(runtime);
    if (java.install && !this.javaLogged) {
      this.javaLogged = true;
      const { java: bin, major, source } = java.install;
      this.opts.logger.info({ msg: 'java runtime', function: this.spec.functionName, version: this.spec.version, runtime, java: bin, major, source, lib: java.lib });
    }
    return { java };
  }

  private async launch(): Promise<RuntimeSession> {
    // a pod's function has its own /tmp; the agent's filesystem is read-only
    if (!this.opts.pod) this.tmpDir ??= mkdtemp(join(this.opts.tmpDir ?? tmpdir(), 'klambda-env-'));
    const dir = (await this.tmpDir) ?? '/tmp';
    if (this.stopped) throw stoppedError();
    const session = new RuntimeSession({
      spec: this.spec,
      paths: { nodePath: process.execPath, pythonPath: 'python3', runtimesDir: fileURLToPath(new URL('./runtimes', import.meta.url)), ...this.javaPaths() },
      tmpDir: dir,
      logStreamName: this.streamName,
      initTimeoutMs: this.opts.initTimeoutMs ?? Math.max(10_000, this.spec.timeoutSeconds * 1000),
      events: this.opts.events,
      sandbox: this.sandbox,
      ...(this.opts.pod ? { pod: this.opts.pod } : { guard: this.guard }),
    });
    this.session = session;
    try {
      await session.init();
    } catch (err) {
      if (this.session === session) this.session = undefined;
      throw err;
    }
    return session;
  }
}
