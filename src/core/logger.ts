// Structured logs: one JSON line per event, with the fields of the component that wrote it.

export type LogFields = Record<string, unknown>;

export interface Logger {
  info(fields: LogFields): void;
  warn(fields: LogFields): void;
  error(fields: LogFields): void;
}

export function jsonLogger(stream: NodeJS.WritableStream, base: LogFields = {}): Logger {
  const write = (level: string, fields: LogFields) =>
    stream.write(`${JSON.stringify({ time: new Date().toISOString(), level, ...base, ...fields })}\n`);
  return {
    info: (f) => write('info', f),
    warn: (f) => write('warn', f),
    error: (f) => write('error', f),
  };
}

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
