// Structured logging: a tiny Logger interface, a JSON-lines implementation and a silent one for tests.

export type LogFields = Record<string, unknown>;

export interface Logger {
  info(fields: LogFields): void;
  warn(fields: LogFields): void;
  error(fields: LogFields): void;
}

/** Anything with a write(string), such as process.stderr or a test's array-backed sink. */
export interface LogStream {
  write(chunk: string): unknown;
}

type Level = 'info' | 'warn' | 'error';

/** Errors have no enumerable fields; give them a readable shape. BigInts would make JSON.stringify throw. */
function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** One JSON object per line: {time, level, ...base, ...fields}. A field that cannot be serialised never loses the line. */
export function jsonLogger(stream: LogStream, base: LogFields = {}, now: () => number = Date.now): Logger {
  const write = (level: Level, fields: LogFields): void => {
    const time = new Date(now()).toISOString();
    let line: string;
    try {
      line = JSON.stringify({ time, level, ...base, ...fields }, replacer);
    } catch (err) {
      line = JSON.stringify({ time, level, ...base, msg: String(fields.msg ?? ''), logError: String(err) });
    }
    stream.write(`${line}\n`);
  };
  return {
    info: (fields) => write('info', fields),
    warn: (fields) => write('warn', fields),
    error: (fields) => write('error', fields),
  };
}

export const silentLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
