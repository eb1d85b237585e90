// What `klambda dev --log-format text` prints (pure): one line per invocation (from its REPORT line), a function's own
// log lines under its name and request id, and klambda's own events, each as a short line, with or without colour.
import { parseInitReportLine, parseReportLine } from '../agent/log-lines.js';
import type { LogFields } from '../core/logger.js';

export type LogFormat = 'text' | 'json';
export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json'];

/** Text for a person at a terminal; JSON lines (for a pipe, a file, a log collector) otherwise. */
export const defaultLogFormat = (isTTY: boolean | undefined): LogFormat => (isTTY ? 'text' : 'json');

/** Colour only on a terminal, and not when NO_COLOR is set to anything but '' (no-color.org). */
export const wantsColour = (isTTY: boolean | undefined, env: Record<string, string | undefined>): boolean =>
  isTTY === true && !env.NO_COLOR;

export interface Paint {
  dim(s: string): string;
  bold(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

const sgr = (open: number, close: number) => (s: string): string => `\x1b[${open}m${s}\x1b[${close}m`;
const same = (s: string): string => s;
export const ansiPaint: Paint = { dim: sgr(2, 22), bold: sgr(1, 22), red: sgr(31, 39), yellow: sgr(33, 39), cyan: sgr(36, 39) };
export const noPaint: Paint = { dim: same, bold: same, red: same, yellow: same, cyan: same };

const two = (n: number): string => String(n).padStart(2, '0');
/** Local wall-clock time, to the second. */
export const clockTime = (d: Date): string => `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;

/** A request id as a person tells them apart: its first 8 characters (a UUID's first group). */
export const shortRequestId = (id: string): string => id.slice(0, 8);

/** `12.3 ms` under a second, `1.23 s` from there. */
export const humanDuration = (ms: number): string => (ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`);

/** A function version as the console names it. */
export interface FunctionRef { functionName: string; version: string }

/** One record of a function's log, as the runtimes write them (Node: time, id, level; Python's logging: level, time, id). */
interface LogRecord { time: Date | undefined; requestId: string | undefined; level: string | undefined; message: string }

const ISO = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z`;
const LEVEL = 'TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|CRITICAL';
// Node's console (tabs) and the platform's timeout line (spaces): `<time> <id> [<LEVEL>] <message>`
const NODE_RECORD = new RegExp(String.raw`^(${ISO})[\t ]([^\t ]*)[\t ](?:(${LEVEL})\t)?(.*)$`, 's');
const PYTHON_RECORD = new RegExp(String.raw`^\[(${LEVEL})\]\t(${ISO})\t([^\t]*)\t(.*)$`, 's');
/** A runtime logging outside an invocation (its init) writes these in place of the id. */
const NO_ID = new Set(['', 'undefined', 'None', 'null']);

function parseRecord(line: string): LogRecord {
  const asId = (id: string): string | undefined => (NO_ID.has(id) ? undefined : id);
  const node = NODE_RECORD.exec(line);
  if (node) return { time: new Date(node[1]!), requestId: asId(node[2]!), level: node[3], message: node[4]! };
  const py = PYTHON_RECORD.exec(line);
  if (py) return { time: new Date(py[2]!), requestId: asId(py[3]!), level: py[1], message: py[4]! };
  return { time: undefined, requestId: undefined, level: undefined, message: line };
}

const START = /^START RequestId: (\S+) Version: \S+$/;
const END = /^END RequestId: \S+$/;
const INIT_START = /^INIT_START /;
/** Open invocations remembered per version, at most (one that never gets its REPORT, e.g. its agent was killed, ages out). */
const MAX_OPEN = 1000;

/** Fields an event line shows in its own place, or not at all. */
const PLACED = new Set(['msg', 'function', 'version', 'queue', 'error', 'functions', 'source', 'line', 'component', 'time', 'level']);

/**
 * Text lines for klambda dev's console. It remembers, per version, the invocations between their START and REPORT
 * lines, so that a line a function printed without a request id (print(), fmt.Println) is given the id of the one
 * invocation running, when only one is.
 */
export class ConsoleFormat {
  private readonly open = new Map<string, Set<string>>();

  constructor(private readonly paint: Paint) {}

  /** A line an execution environment wrote (function output or a platform line); undefined: nothing to show. */
  functionLine(fn: FunctionRef, line: string, now: Date): string | undefined {
    const p = this.paint;
    const name = p.cyan(`${fn.functionName}:${fn.version}`);
    const key = `${fn.functionName}:${fn.version}`;
    const start = START.exec(line);
    if (start) { this.opened(key, start[1]!); return undefined; }
    if (END.test(line) || INIT_START.test(line)) return undefined;
    const report = parseReportLine(line);
    if (report) {
      this.open.get(key)?.delete(report.requestId);
      const outcome = report.status === 'timeout' ? p.red('timeout')
        : report.status === 'error' ? p.red(`error ${report.errorType ?? ''}`.trim()) : 'done';
      const cold = report.initDurationMs !== undefined ? ` ${p.yellow('cold')} ${p.dim(`(init ${humanDuration(report.initDurationMs)})`)}`
        : report.status === 'error' ? '' : ' warm';
      return `${p.dim(clockTime(now))} ${name} ${p.dim(shortRequestId(report.requestId))} ${outcome} ${humanDuration(report.durationMs)}${cold}`;
    }
    const initFailed = parseInitReportLine(line);
    if (initFailed) {
      return `${p.dim(clockTime(now))} ${name} ${p.red('init failed')} ${initFailed.errorType} ${p.dim(`(init ${humanDuration(initFailed.initDurationMs)})`)}`;
    }
    const r = parseRecord(line);
    const requestId = r.requestId ?? this.only(key);
    const id = requestId === undefined ? '' : ` ${p.dim(shortRequestId(requestId))}`;
    const time = r.time !== undefined && !Number.isNaN(r.time.getTime()) ? r.time : now;
    return `${p.dim(clockTime(time))} ${name}${id} ${this.level(r.level)}${r.message}`;
  }

  /** One of klambda's own events (what its Logger was given). */
  event(level: 'info' | 'warn' | 'error', fields: LogFields, now: Date): string {
    const p = this.paint;
    let f = fields;
    let msg = String(fields.msg ?? '');
    // an agent's own JSON log line, passed on by klambda dev: its message and fields
    if (fields.source === 'agent' && typeof fields.line === 'string') {
      const agent = parseObject(fields.line);
      f = agent ? { ...agent, function: fields.function, version: fields.version } : fields;
      msg = `agent: ${agent ? String(agent.msg ?? '') : fields.line}`;
    }
    const tag = level === 'error' ? `${p.red('error')} ` : level === 'warn' ? `${p.yellow('warn')} ` : '';
    const subject = subjectOf(f);
    const functions = Array.isArray(f.functions) && f.functions.length > 0 ? `: ${f.functions.join(', ')}` : '';
    const error = f.error === undefined ? '' : `: ${f.error instanceof Error ? f.error.message : String(f.error)}`;
    const rest = Object.entries(f).filter(([k, v]) => !PLACED.has(k) && v !== undefined).map(([k, v]) => ` ${k}=${value(v)}`).join('');
    const text = `${subject ? `${p.cyan(subject)} ` : ''}${msg}${functions}${error}${rest}`;
    return `${p.dim(clockTime(now))} ${tag}${level === 'info' ? text : p.bold(text)}`;
  }

  /** A line of klambda's own (listening, stopping). */
  say(text: string, now: Date): string {
    return `${this.paint.dim(clockTime(now))} ${text}`;
  }

  private level(level: string | undefined): string {
    if (level === undefined || level === 'INFO') return '';
    if (level === 'ERROR' || level === 'FATAL' || level === 'CRITICAL') return `${this.paint.red(level)} `;
    if (level === 'WARN' || level === 'WARNING') return `${this.paint.yellow(level)} `;
    return `${this.paint.dim(level)} `;
  }

  private opened(key: string, requestId: string): void {
    let ids = this.open.get(key);
    if (!ids) this.open.set(key, (ids = new Set()));
    ids.add(requestId);
    if (ids.size > MAX_OPEN) ids.delete(ids.values().next().value!);
  }

  /** The request id of the version's one open invocation, if exactly one is open. */
  private only(key: string): string | undefined {
    const ids = this.open.get(key);
    return ids?.size === 1 ? ids.values().next().value : undefined;
  }
}

/** `hello:$LATEST` from function + version, or from a queue name (`default/hello/$LATEST`). */
function subjectOf(f: LogFields): string | undefined {
  if (typeof f.function === 'string') return typeof f.version === 'string' ? `${f.function}:${f.version}` : f.function;
  if (typeof f.queue === 'string') {
    const parts = f.queue.split('/');
    if (parts.length === 3) return `${parts[1]}:${parts[2]}`;
    return f.queue;
  }
  return undefined;
}

function parseObject(line: string): LogFields | undefined {
  try {
    const v: unknown = JSON.parse(line);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as LogFields) : undefined;
  } catch {
    return undefined;
  }
}

function value(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  if (v instanceof Error) return JSON.stringify(v.message);
  if (typeof v === 'object' && v !== null) {
    try { return JSON.stringify(v); } catch { return String(v); }
  }
  return String(v);
}
