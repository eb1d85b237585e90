// klambda dev's console: where its output goes and how it reads (text for a person, or the JSON lines of before).
import type { Writable } from 'node:stream';
import { streamLineSink } from '../agent/log-sink.js';
import { jsonLogger, type LogFields, type Logger } from '../core/logger.js';
import type { QueueRef } from '../core/queue-contract.js';
import { ansiPaint, ConsoleFormat, noPaint, wantsColour, type LogFormat } from './console-format.js';

export type ConsoleStream = Pick<Writable, 'write' | 'once'> & { isTTY?: boolean };

export interface DevConsole {
  /** klambda's own events. */
  logger: Logger;
  /** Each line an execution environment writes (function output, START/END/REPORT). */
  functionLog(queue: QueueRef, line: string): void;
  /** A line of klambda's own on stdout (listening, stopping), after the lines held so far. */
  say(text: string): void;
  /** Writes the lines held so far (before the process exits). */
  flush(): void;
}

export interface ConsoleOptions {
  stdout: ConsoleStream;
  stderr: ConsoleStream;
  /** NO_COLOR is read from it. */
  env: Record<string, string | undefined>;
  now?: () => Date;
}

/**
 * json: klambda's events as JSON lines on stderr, function lines as `[function:version] line` on stdout.
 * text: one line per event for a person (see console-format.ts), events on stderr, function lines on stdout.
 */
export function devConsole(format: LogFormat, opts: ConsoleOptions): DevConsole {
  // the lines of one invocation (and of every environment in the same few ms) go out in one write
  const out = streamLineSink(opts.stdout, { batchMs: 5 });
  const say = (text: string): void => { out.flush(); opts.stdout.write(`${text}\n`); };
  if (format === 'json') {
    return {
      logger: jsonLogger(opts.stderr, { component: 'klambda-dev' }),
      functionLog: (q, line) => void out(`[${q.functionName}:${q.version}] ${line}`),
      say, flush: () => out.flush(),
    };
  }
  const now = opts.now ?? (() => new Date());
  const lines = new ConsoleFormat(wantsColour(opts.stdout.isTTY, opts.env) ? ansiPaint : noPaint);
  const events = new ConsoleFormat(wantsColour(opts.stderr.isTTY, opts.env) ? ansiPaint : noPaint);
  const event = (level: 'info' | 'warn' | 'error') => (fields: LogFields): void => void opts.stderr.write(`${events.event(level, fields, now())}\n`);
  return {
    logger: { info: event('info'), warn: event('warn'), error: event('error') },
    functionLog: (q, line) => {
      const text = lines.functionLine(q, line, now());
      if (text !== undefined) void out(text);
    },
    say: (text) => say(lines.say(text, now())),
    flush: () => out.flush(),
  };
}
